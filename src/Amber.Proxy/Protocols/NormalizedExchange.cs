using Amber.Core.Model;

namespace Amber.Proxy.Protocols;

/// <summary>What a protocol makes of one exchange; the recorder chains the prompt and attaches the answer.</summary>
public sealed record NormalizedExchange
{
    /// <summary>Request-side messages in order (system, user, assistant, tool…); parents are left unset.</summary>
    public IReadOnlyList<Node> Prompt { get; init; } = [];

    /// <summary>The generated assistant message; null when nothing was generated (an upstream error, no response).</summary>
    public Node? Answer { get; init; }

    public ModelReference? Model { get; init; }

    /// <summary>Bytes that blob blocks in the prompt or answer name (images, files).</summary>
    public IReadOnlyList<byte[]> Blobs { get; init; } = [];

    /// <summary>A node key the prompt continues from (Responses previous_response_id).</summary>
    public string? ContinuesFrom { get; init; }

    /// <summary>Lookup keys for the answer node (response:openai:resp_…, …).</summary>
    public IReadOnlyList<string> AnswerKeys { get; init; } = [];

    public string? Title { get; init; }

    /// <summary>A provider conversation object the call continues (Responses <c>conversation</c>); the sink attaches it under that conversation's latest answer.</summary>
    public string? Conversation { get; init; }
}
