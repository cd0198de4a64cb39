using System.Text.Json.Nodes;

namespace Amber.Proxy.Otlp;

/// <summary>A span event (older GenAI conventions carry messages as <c>gen_ai.user.message</c>, <c>gen_ai.choice</c>… events).</summary>
internal sealed record OtlpEvent(ulong TimeUnixNano, string Name, JsonObject Attributes);
