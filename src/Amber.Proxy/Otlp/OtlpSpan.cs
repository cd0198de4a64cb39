using System.Text.Json.Nodes;

namespace Amber.Proxy.Otlp;

/// <summary>One span of an OTLP trace export, as either encoding carries it. Attribute values are JSON (OTLP's AnyValue: strings, bools, integers, doubles, arrays, key-value lists as objects, bytes as base64).</summary>
internal sealed record OtlpSpan
{
    /// <summary>Lower-case hex, as OTLP/JSON writes it.</summary>
    public required string TraceId { get; init; }

    public required string SpanId { get; init; }

    public string? ParentSpanId { get; init; }

    public string Name { get; init; } = "";

    /// <summary>The SpanKind enum number (3 = client).</summary>
    public int Kind { get; init; }

    public ulong StartUnixNano { get; init; }

    public ulong EndUnixNano { get; init; }

    public JsonObject Attributes { get; init; } = [];

    public IReadOnlyList<OtlpEvent> Events { get; init; } = [];

    /// <summary>The StatusCode enum number (2 = error).</summary>
    public int StatusCode { get; init; }

    public string? StatusMessage { get; init; }

    /// <summary>The attributes of the resource that sent the span (service.name…).</summary>
    public JsonObject Resource { get; init; } = [];

    public string? ScopeName { get; init; }

    public string? ScopeVersion { get; init; }

    /// <summary>Where the span stands in the request, for error messages: <c>resourceSpans[0].scopeSpans[1].spans[2]</c>.</summary>
    public string Location { get; init; } = "";
}
