package sim

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
)

// Scenario describes one scripted execution the simulator can run.
type Scenario struct {
	// Name is what --scenario, metadata.scenario and ?scenario= take. The
	// names are a contract: scripts and tests use them.
	Name string
	// Kind is "agent" or "flow".
	Kind string
	// Summary says in one line what the scenario streams.
	Summary string
}

const (
	defaultScenario = "parallel"
	defaultDeltas   = 2000
	maxDeltas       = 1_000_000
)

// scenarioDef is a Scenario with its script. start writes the dispatch
// stream; next writes the stream after a pause was fully answered (nil when
// the scenario never pauses). Both end by completing, failing, dropping or
// pausing the run; they never touch the execution directly.
type scenarioDef struct {
	Scenario
	body  func() obj
	start func(r *run, deltas int)
	next  func(r *run, c *continuation)
}

// continuation is what a fully answered pause hands to the script.
type continuation struct {
	stage    int        // 1 after the first pause, 2 after the second, ...
	calls    []answered // the pending calls with their outputs, in call order
	approval *approval
	decision string
	reason   string
}

// Scenarios returns every scenario in a stable order, for --scenario help
// and validation.
func Scenarios() []Scenario {
	defs := scenarioDefs()
	out := make([]Scenario, len(defs))
	for i, d := range defs {
		out[i] = d.Scenario
	}
	return out
}

func scenarioNames() []string {
	var names []string
	for _, s := range Scenarios() {
		names = append(names, s.Name)
	}
	return names
}

// DispatchBody returns a realistic POST /v1/dispatch body for a scenario, in
// the agent or flow form of runtype-protocol.md §5, with its client tools
// (origin "sdk") and metadata.scenario set so the simulator runs that
// scenario whatever its default. "" names the default scenario.
func DispatchBody(scenario string) ([]byte, error) {
	if scenario == "" {
		scenario = defaultScenario
	}
	for _, d := range scenarioDefs() {
		if d.Name == scenario {
			b, err := json.MarshalIndent(d.body(), "", "  ")
			if err != nil {
				return nil, fmt.Errorf("sim: dispatch body for %s: %w", scenario, err)
			}
			return append(b, '\n'), nil
		}
	}
	return nil, fmt.Errorf("sim: unknown scenario %q (valid: %s)", scenario, strings.Join(scenarioNames(), ", "))
}

// scenarioDefs builds the scenario table. It is a function, not a package
// variable, so that no state is shared between servers.
func scenarioDefs() []*scenarioDef {
	return []*scenarioDef{
		{
			Scenario: Scenario{"flow-tool", "flow", "flow \"Support Flow\" pauses on local tool get_order_status; after resume quotes the output and completes"},
			body:     flowToolBody, start: flowToolStart, next: flowToolNext,
		},
		{
			Scenario: Scenario{"parallel", "agent", "agent calls add_to_cart twice in parallel and pauses; the awaits carry a virtual_ executionId (the one to resume)"},
			body:     parallelBody, start: parallelStart, next: parallelNext,
		},
		{
			Scenario: Scenario{"two-pauses", "agent", "agent pauses on search_products, then on add_to_cart, then completes"},
			body:     twoPausesBody, start: twoPausesStart, next: twoPausesNext,
		},
		{
			Scenario: Scenario{"approval", "agent", "agent \"Mail Assistant\" asks approval for send_email; approve sends it, deny does not"},
			body:     approvalBody, start: approvalStart, next: approvalNext,
		},
		{
			Scenario: Scenario{"fail", "flow", "flow streams a little, then fails with execution_error (model_error, provider 529)"},
			body:     failBody, start: failStart,
		},
		{
			Scenario: Scenario{"long", "agent", fmt.Sprintf("agent streams a long answer: %d text deltas (metadata.deltas sets 1..%d)", defaultDeltas, maxDeltas)},
			body:     longBody, start: longStart,
		},
		{
			Scenario: Scenario{"drop", "agent", "agent streams a few frames, then the connection drops in the middle of a frame"},
			body:     dropBody, start: dropStart,
		},
		{
			Scenario: Scenario{"big", "flow", "flow streams a ~400 KB non-ASCII tool result and text frame, pauses on local tool save_export, completes after resume"},
			body:     bigBody, start: bigStart, next: bigNext,
		},
		{
			Scenario: Scenario{"nested", "agent", "agent calls a flow as a tool: a nested flow execution_start..execution_complete inside the agent stream"},
			body:     nestedBody, start: nestedStart,
		},
	}
}

// ---- request bodies ----

func clientTool(name, desc string, props obj, required ...string) obj {
	return obj{
		{"name", name},
		{"description", desc},
		{"parametersSchema", obj{{"type", "object"}, {"properties", props}, {"required", required}}},
		{"origin", "sdk"},
	}
}

func toolGetOrderStatus() obj {
	return clientTool("get_order_status", "Look up the shipping status of an order",
		obj{{"orderId", obj{{"type", "string"}}}}, "orderId")
}

func toolAddToCart() obj {
	return clientTool("add_to_cart", "Add a product to the shopper's cart",
		obj{{"sku", obj{{"type", "string"}}}, {"qty", obj{{"type", "integer"}, {"minimum", 1}}}}, "sku")
}

func toolSearchProducts() obj {
	return clientTool("search_products", "Search the product catalog",
		obj{{"query", obj{{"type", "string"}}}}, "query")
}

func toolSaveExport() obj {
	return clientTool("save_export", "Save an export file on the user's machine",
		obj{{"name", obj{{"type", "string"}}}, {"bytes", obj{{"type", "integer"}}}}, "name")
}

func flowBody(scenario, flowID, user string, tools ...obj) obj {
	o := obj{
		{"flow", obj{{"id", flowID}}},
		{"record", obj{{"name", "rtinspect demo"}, {"type", "standalone"}}},
		{"messages", []obj{{{"role", "user"}, {"content", user}}}},
		{"options", obj{{"streamResponse", true}, {"recordMode", "virtual"}, {"flowMode", "existing"}}},
	}
	if len(tools) > 0 {
		o = append(o, kv{"clientTools", tools})
	}
	return append(o, kv{"metadata", obj{{"scenario", scenario}}})
}

func agentBody(scenario string, agent obj, user string, tools ...obj) obj {
	o := obj{
		{"agent", agent},
		{"messages", []obj{{{"role", "user"}, {"content", user}}}},
		{"options", obj{{"streamResponse", true}, {"recordMode", "virtual"}}},
	}
	if len(tools) > 0 {
		o = append(o, kv{"clientTools", tools})
	}
	return append(o, kv{"metadata", obj{{"scenario", scenario}}})
}

func inlineAgent(name, prompt string, maxTurns int, extra ...kv) obj {
	o := obj{{"name", name}, {"model", "openai:gpt-4o-mini"}, {"systemPrompt", prompt}, {"temperature", 0.2}}
	o = append(o, extra...)
	return append(o, kv{"loopConfig", obj{{"maxTurns", maxTurns}}})
}

const (
	flowSupportID = "flow_01k9pfq3v8m2r6t4w7y9z0b1c5"
	flowReportID  = "flow_01k9pgr4w9n3s7u5x8z0a1c2d6"
	flowExportID  = "flow_01k9phs5x0p4t8v6y9a1b2d3e7"
	flowSummaryID = "flow_01k9pjt6y1q5u9w7z0b2c3e4f8"
)

func flowToolBody() obj {
	return flowBody("flow-tool", flowSupportID, "Where is my order A-1001?", toolGetOrderStatus())
}

func parallelBody() obj {
	return agentBody("parallel", inlineAgent("Switchback Assistant", "You help shoppers of the Switchback running store.", 8),
		"Add SHOE-001 and SHOE-007 to my cart", toolAddToCart())
}

func twoPausesBody() obj {
	return agentBody("two-pauses", inlineAgent("Switchback Assistant", "You help shoppers of the Switchback running store.", 8),
		"Find me trail running shoes and add the best one to my cart", toolSearchProducts(), toolAddToCart())
}

func approvalBody() obj {
	tools := obj{
		{"toolIds", []string{"builtin:send_email"}},
		{"approval", obj{{"require", []string{"send_email"}}, {"timeout", 300000}, {"requestReason", true}}},
	}
	return agentBody("approval", inlineAgent("Mail Assistant", "You draft and send emails for the user.", 4, kv{"tools", tools}),
		"Email this week's summary to Dana")
}

func failBody() obj {
	return flowBody("fail", flowReportID, "Write the weekly report")
}

func longBody() obj {
	return agentBody("long", inlineAgent("Story Assistant", "You tell long stories.", 1),
		"Tell me a long story about a switchback trail")
}

func dropBody() obj {
	return agentBody("drop", inlineAgent("Switchback Assistant", "You help shoppers of the Switchback running store.", 8),
		"Are SHOE-001 and SHOE-007 in stock?")
}

func bigBody() obj {
	return flowBody("big", flowExportID, "Export the whole catalog as text and save it", toolSaveExport())
}

func nestedBody() obj {
	tools := obj{{"toolIds", []string{"flow:" + flowSummaryID}}}
	return agentBody("nested", inlineAgent("Research Assistant", "You research and summarise web pages.", 4, kv{"tools", tools}),
		"Summarise https://example.com/changelog")
}

// ---- scripts ----

func flowToolStart(r *run, _ int) {
	r.executionStart("flow", obj{{"flowId", flowSupportID}, {"flowName", "Support Flow"}, {"totalSteps", 1}, {"source", "standalone"}})
	r.stepStart(newStepID(), "Prompt 1", 1, 1)
	r.text("Let me check ", "that order.")
	c := r.newCall("get_order_status", "local", obj{{"orderId", "A-1001"}}, newToolUseID())
	r.toolStart(c)
	r.awaitTools(c)
}

func flowToolNext(r *run, c *continuation) {
	a := c.calls[0]
	// A flow continuation leads with step frames (runtype-protocol.md §4.2).
	r.stepStart(a.Step.id, a.Step.name, a.Step.index, 1)
	out := readOutput(a.Output)
	r.toolComplete(a.call, a.Output, out.errMsg, 0)
	var text string
	switch status, ok := out.str("status"); {
	case out.failed:
		text = "I could not look up order A-1001: " + out.errMsg + "."
	case ok:
		text = "Order A-1001: " + status + "."
		if eta, ok := out.str("eta"); ok {
			text += " Expected delivery: " + eta + "."
		}
	default:
		text = "Order A-1001: " + out.text
	}
	r.text(chunkWords(text, 3)...)
	r.stepComplete(text, wordCount(text))
	r.executionComplete(obj{{"totalSteps", 1}, {"successfulSteps", 1}, {"failedSteps", 0}, {"finalOutput", capText(text)}})
}

func parallelStart(r *run, _ int) {
	r.executionStart("agent", obj{{"agentId", "agent_01shop"}, {"agentName", "Switchback Assistant"}, {"maxTurns", 8}})
	r.turnStart()
	r.text("Adding both", " now.")
	id1, id2 := newOpenAICallID(), newOpenAICallID()
	for id2 == id1 {
		id2 = newOpenAICallID()
	}
	c1 := r.newCall("add_to_cart", "local", obj{{"sku", "SHOE-001"}, {"qty", 1}}, id1)
	c2 := r.newCall("add_to_cart", "local", obj{{"sku", "SHOE-007"}, {"qty", 1}}, id2)
	c2.ToolID = c1.ToolID // parallel calls of one tool share the runtime toolId
	r.toolStart(c1)
	r.toolStart(c2)
	r.switchID()
	r.awaitTools(c1, c2)
}

func parallelNext(r *run, c *continuation) {
	for _, a := range c.calls {
		r.toolComplete(a.call, a.Output, readOutput(a.Output).errMsg, 0)
	}
	r.turnStart()
	text := cartSummary(c.calls)
	r.text(chunkWords(text, 4)...)
	agentDone(r, text)
}

func twoPausesStart(r *run, _ int) {
	r.executionStart("agent", obj{{"agentId", "agent_01shop"}, {"agentName", "Switchback Assistant"}, {"maxTurns", 8}})
	r.turnStart()
	r.text("Let me search ", "the catalog.")
	c := r.newCall("search_products", "local", obj{{"query", "trail running shoes"}}, newToolUseID())
	r.toolStart(c)
	r.awaitTools(c)
}

func twoPausesNext(r *run, c *continuation) {
	a := c.calls[0]
	out := readOutput(a.Output)
	r.toolComplete(a.call, a.Output, out.errMsg, 0)
	r.turnStart()
	if c.stage == 1 {
		sku, n := firstSKU(a.Output)
		var text string
		switch {
		case out.failed:
			text = fmt.Sprintf("The search failed (%s), so I'll add our usual pick, %s.", out.errMsg, sku)
		case n > 0:
			text = fmt.Sprintf("Found %d products. Adding %s to your cart.", n, sku)
		default:
			text = fmt.Sprintf("I'll add %s to your cart.", sku)
		}
		r.text(chunkWords(text, 4)...)
		add := r.newCall("add_to_cart", "local", obj{{"sku", sku}, {"qty", 1}}, newToolUseID())
		r.toolStart(add)
		r.awaitTools(add)
		return
	}
	text := cartSummary(c.calls)
	r.text(chunkWords(text, 4)...)
	agentDone(r, text)
}

func approvalStart(r *run, _ int) {
	r.executionStart("agent", obj{{"agentId", "agent_01mail"}, {"agentName", "Mail Assistant"}, {"maxTurns", 4}})
	r.turnStart()
	r.text("I'll send the summary ", "to Dana.")
	c := r.newCall("send_email", "builtin", obj{
		{"to", "dana@example.com"}, {"subject", "Summary"},
		{"body", "Hi Dana, here is this week's summary: three fixes shipped, one export format added."},
	}, newToolUseID())
	r.approvalStart(&approval{
		ID:          newApprovalID(),
		Description: "Send an email",
		Reason:      "The user asked me to email the summary to Dana.",
		Timeout:     300000,
		Call:        c,
	})
}

func approvalNext(r *run, c *continuation) {
	a := c.approval
	r.approvalComplete(a, c.decision)
	var text string
	if c.decision == "approved" {
		r.toolStart(a.Call)
		r.toolComplete(a.Call, json.RawMessage(fmt.Sprintf(`{"messageId":"m_%s","status":"sent"}`, randString(8, lowerAlnum))), "", 640)
		text = "Done: the summary is on its way to Dana."
	} else {
		text = "OK, I did not send the email to Dana."
		if c.reason != "" {
			text += " Noted: " + c.reason
		}
	}
	r.turnStart()
	r.text(chunkWords(text, 4)...)
	agentDone(r, text)
}

func failStart(r *run, _ int) {
	r.executionStart("flow", obj{{"flowId", flowReportID}, {"flowName", "Weekly Report Flow"}, {"totalSteps", 1}, {"source", "standalone"}})
	r.stepStart(newStepID(), "Prompt 1", 1, 1)
	id := r.textStart()
	r.textDelta(id, "Drafting the ")
	r.textDelta(id, "weekly report")
	r.executionError("model_error", "The model provider returned 529: overloaded")
}

// longWords is the text the long scenario cycles through, one word per
// delta, so a test can rebuild the expected text from the delta count.
var longWords = strings.Fields(`The trail left the valley floor in a long switchback, climbing through
larch and granite while the afternoon light slid down the far ridge. Every turn
showed the same river from a little higher, smaller and quieter, until it was
only a bright thread stitched between the trees.`)

func longWord(i int) string { return longWords[i%len(longWords)] + " " }

func longStart(r *run, deltas int) {
	r.executionStart("agent", obj{{"agentId", "agent_01story"}, {"agentName", "Story Assistant"}, {"maxTurns", 1}})
	r.turnStart()
	base := r.delay
	r.delay = base / 10 // visible streaming, yet the demo finishes in seconds
	text := r.textN(deltas, longWord)
	r.delay = base
	r.turnComplete(text, deltas)
	r.executionComplete(obj{{"iterations", r.iteration}, {"stopReason", "end_turn"}}.opt("finalOutput", text))
}

func dropStart(r *run, _ int) {
	r.executionStart("agent", obj{{"agentId", "agent_01shop"}, {"agentName", "Switchback Assistant"}, {"maxTurns", 8}})
	r.turnStart()
	id := r.textStart()
	r.textDelta(id, "Checking ")
	r.textDelta(id, "stock levels ")
	r.drop(id, "for SHOE-001 and SHOE-007 across all of our warehouses.")
}

// bigUnit repeats to about 400 KB: two-, three- and four-byte-wide
// characters, so a client that cuts frames by bytes or limits events to
// 64 KiB shows its bug.
const bigUnit = "ß✓日本語 "

func bigText() string { return strings.Repeat(bigUnit, 400_000/len(bigUnit)+1) }

func bigStart(r *run, _ int) {
	r.executionStart("flow", obj{{"flowId", flowExportID}, {"flowName", "Catalog Export Flow"}, {"totalSteps", 1}, {"source", "standalone"}})
	r.stepStart(newStepID(), "Prompt 1", 1, 1)
	r.text("Exporting ", "the catalog.")
	big := bigText()
	exp := r.newCall("export_catalog", "builtin", obj{{"format", "text"}}, newToolUseID())
	r.toolStart(exp)
	result, _ := marshal(obj{{"rows", strings.Count(big, " ")}, {"text", big}})
	r.toolComplete(exp, result, "", 1200)
	r.text(big)
	save := r.newCall("save_export", "local", obj{{"name", "catalog-export.txt"}, {"bytes", len(big)}}, newToolUseID())
	r.toolStart(save)
	r.awaitTools(save)
}

func bigNext(r *run, c *continuation) {
	a := c.calls[0]
	r.stepStart(a.Step.id, a.Step.name, a.Step.index, 1)
	out := readOutput(a.Output)
	r.toolComplete(a.call, a.Output, out.errMsg, 0)
	text := "Saved the export: " + truncate(out.text, 200)
	if out.failed {
		text = "Could not save the export: " + out.errMsg + "."
	}
	r.text(chunkWords(text, 4)...)
	r.stepComplete(text, wordCount(text))
	r.executionComplete(obj{{"totalSteps", 1}, {"successfulSteps", 1}, {"failedSteps", 0}, {"finalOutput", capText(text)}})
}

func nestedStart(r *run, _ int) {
	r.executionStart("agent", obj{{"agentId", "agent_01research"}, {"agentName", "Research Assistant"}, {"maxTurns", 4}})
	r.turnStart()
	r.text("I'll run the summary flow ", "on that page.")
	c := r.newCall("summarize_page", "flow", obj{{"url", "https://example.com/changelog"}}, newToolUseID())
	r.toolStart(c)

	// The nested flow reports inside the agent's stream, with the same
	// executionId, between the parent's tool_start and tool_complete
	// (runtype-protocol.md §2.3): the client must count depth.
	r.parentCall = c.ID
	r.executionStart("flow", obj{{"flowId", flowSummaryID}, {"flowName", "Summarize Page"}, {"totalSteps", 1}})
	r.stepStart(newStepID(), "Summarize", 1, 1)
	summary := r.text("The changelog lists ", "three fixes ", "and one new export format.")
	r.stepComplete(summary, wordCount(summary))
	r.executionComplete(obj{{"totalSteps", 1}, {"successfulSteps", 1}, {"failedSteps", 0}, {"finalOutput", summary}})
	r.parentCall = ""

	result, _ := marshal(obj{{"summary", summary}})
	r.toolComplete(c, result, "", 2100)
	r.turnStart()
	text := "Summary: " + summary
	r.text(chunkWords(text, 4)...)
	agentDone(r, text)
}

// agentDone completes the current turn and the agent execution.
func agentDone(r *run, text string) {
	out := wordCount(text) + 2
	r.turnComplete(text, out)
	r.executionComplete(obj{
		{"iterations", r.iteration}, {"stopReason", "end_turn"}, {"finalOutput", capText(text)},
		{"totalTokens", obj{{"input", 1800*r.iteration + 60*r.iteration*(r.iteration+1)}, {"output", out}}},
		{"totalCost", round6(0.0004 * float64(r.iteration))},
	})
}

// ---- reading the client's outputs ----

// output is a tool output as the scripted model reads it.
type output struct {
	text   string // what the model would quote: text content, a string, or compact JSON
	failed bool
	errMsg string
	fields map[string]json.RawMessage // top-level fields, when an object
}

// readOutput interprets an output the way the conventions of
// runtype-protocol.md §4.2 suggest: an MCP CallToolResult
// ({content:[{type:"text",text}], isError}) quotes its text, isError:true,
// an "error" field or ok:false mean the tool failed (so "answer with an
// error on purpose" visibly changes what the model says).
func readOutput(raw json.RawMessage) output {
	var o output
	var compact bytes.Buffer
	if json.Compact(&compact, raw) == nil {
		o.text = compact.String()
	} else {
		o.text = string(raw)
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		o.text = s
		return o
	}
	if json.Unmarshal(raw, &o.fields) != nil || o.fields == nil {
		return o
	}
	var parts []struct {
		Type string `json:"type"`
		Text string `json:"text"`
	}
	if json.Unmarshal(o.fields["content"], &parts) == nil {
		var texts []string
		for _, p := range parts {
			if p.Type == "text" && p.Text != "" {
				texts = append(texts, p.Text)
			}
		}
		if len(texts) > 0 {
			o.text = strings.Join(texts, " ")
		}
	}
	var isError bool
	var ok *bool
	json.Unmarshal(o.fields["isError"], &isError)
	json.Unmarshal(o.fields["ok"], &ok)
	errRaw, hasErr := o.fields["error"]
	switch {
	case isError:
		o.failed, o.errMsg = true, o.text
	case hasErr && !isNull(errRaw):
		o.failed = true
		var es string
		var eo struct {
			Message string `json:"message"`
		}
		switch {
		case json.Unmarshal(errRaw, &es) == nil:
			o.errMsg = es
		case json.Unmarshal(errRaw, &eo) == nil && eo.Message != "":
			o.errMsg = eo.Message
		default:
			o.errMsg = string(errRaw)
		}
	case ok != nil && !*ok:
		o.failed = true
		if m, found := o.str("message"); found {
			o.errMsg = m
		} else {
			o.errMsg = "the tool reported ok: false"
		}
	}
	return o
}

// str returns a top-level string field.
func (o output) str(key string) (string, bool) {
	var s string
	if json.Unmarshal(o.fields[key], &s) != nil || s == "" {
		return "", false
	}
	return s, true
}

// scalar returns a top-level number or string field as text ("288",
// "149.50"), keeping the number exactly as the client wrote it.
func (o output) scalar(key string) (string, bool) {
	raw := bytes.TrimSpace(o.fields[key])
	if len(raw) == 0 {
		return "", false
	}
	if s, ok := o.str(key); ok {
		return s, true
	}
	var n json.Number
	if json.Unmarshal(raw, &n) != nil {
		return "", false
	}
	return n.String(), true
}

// cartSummary is the model's answer after add_to_cart calls: which SKUs were
// added, which failed, and the cart total of the last output if it has one.
func cartSummary(calls []answered) string {
	var added, failed []string
	total := ""
	for _, a := range calls {
		var p struct {
			SKU string `json:"sku"`
		}
		json.Unmarshal(a.Params, &p)
		out := readOutput(a.Output)
		if out.failed {
			failed = append(failed, fmt.Sprintf("%s (%s)", p.SKU, out.errMsg))
		} else {
			added = append(added, p.SKU)
		}
		total, _ = out.scalar("cartTotal")
	}
	var text string
	switch {
	case len(failed) == 0 && len(added) == 2:
		text = "Added both shoes to your cart."
	case len(failed) == 0:
		text = "Added " + strings.Join(added, " and ") + " to your cart."
	case len(added) == 0:
		text = "I could not add " + strings.Join(failed, " or ") + "."
	default:
		text = "Added " + strings.Join(added, " and ") + " to your cart, but could not add " + strings.Join(failed, " or ") + "."
	}
	if total != "" {
		text += " Cart total: $" + total + "."
	}
	return text
}

// firstSKU finds the first product of a search output: an array of
// products, or an object holding one under results, products or items.
func firstSKU(raw json.RawMessage) (sku string, n int) {
	type product struct {
		SKU string `json:"sku"`
		ID  string `json:"id"`
	}
	var list []product
	if json.Unmarshal(raw, &list) != nil {
		var wrap map[string]json.RawMessage
		json.Unmarshal(raw, &wrap)
		for _, k := range []string{"results", "products", "items"} {
			if json.Unmarshal(wrap[k], &list) == nil && list != nil {
				break
			}
		}
	}
	for _, p := range list {
		if p.SKU != "" {
			return p.SKU, len(list)
		}
		if p.ID != "" {
			return p.ID, len(list)
		}
	}
	return "SHOE-001", len(list)
}

// chunkWords splits text into deltas of about n words each, keeping every
// byte, so the deltas concatenate back to the text.
func chunkWords(text string, n int) []string {
	var out []string
	words := strings.SplitAfter(text, " ")
	for i := 0; i < len(words); i += n {
		out = append(out, strings.Join(words[i:min(i+n, len(words))], ""))
	}
	return out
}

func wordCount(s string) int { return len(strings.Fields(s)) }

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "…"
}
