using Amber.Proxy.Exchanges;

namespace Amber.Proxy.Protocols;

/// <summary>One captured API: how its streams end, how a notice joins its system prompt, and how an exchange becomes nodes.</summary>
internal interface IProtocol
{
    /// <summary>openai.chat, openai.responses or anthropic.messages.</summary>
    string Source { get; }

    /// <summary>The provider named in model references.</summary>
    string Provider { get; }

    /// <summary>True for the event that ends a successful stream (held back until the capture is durable).</summary>
    bool IsFinalEvent(ReadOnlySpan<byte> rawEvent);

    /// <summary>The request body with <paramref name="notice"/> added to its system prompt; null when the body is not a JSON object.</summary>
    byte[]? InjectNotice(ReadOnlyMemory<byte> body, string notice);

    /// <summary>The nodes, model and keys of an exchange; never throws on malformed provider JSON (the raw document keeps it).</summary>
    NormalizedExchange Normalize(RawExchange exchange);
}
