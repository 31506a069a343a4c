package api

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"net"
	"os"
	"syscall"
)

// Explain words a request error for a person: what happened and what to
// do, with Go's own text after it for the details. The key never appears
// (the client's errors are already redacted).
func Explain(err error) string {
	if err == nil {
		return ""
	}
	msg := err.Error()
	var (
		dnsErr  *net.DNSError
		certErr *tls.CertificateVerificationError
		unknown x509.UnknownAuthorityError
		hostErr x509.HostnameError
		he      *HTTPError
		timeout interface{ Timeout() bool }
	)
	switch {
	case errors.As(err, &he):
		return msg
	case errors.Is(err, context.Canceled):
		return "cancelled: " + msg
	case errors.As(err, &dnsErr):
		return "cannot find the host " + dnsErr.Name + " (check --base-url and the network): " + msg
	case errors.Is(err, syscall.ECONNREFUSED):
		return "nothing is listening there (is the server running, is --base-url right?): " + msg
	case errors.As(err, &certErr), errors.As(err, &unknown), errors.As(err, &hostErr):
		return "the server's TLS certificate is not trusted (check --base-url; a proxy with its own certificate needs its CA installed): " + msg
	case errors.Is(err, os.ErrDeadlineExceeded), errors.As(err, &timeout) && timeout.Timeout():
		return "the server did not answer in time (it accepted the connection but sent no response): " + msg
	}
	var recErr tls.RecordHeaderError
	if errors.As(err, &recErr) {
		return "the server does not speak TLS there (http vs https?): " + msg
	}
	return msg
}
