using Amber.Core.Model;

namespace Amber.Capture;

/// <summary>One captured model call, normalized: what was asked, what was answered, and the raw bytes of both.</summary>
public sealed record CapturedExchange
{
    /// <summary>The protocol that carried the call: openai.chat, openai.responses, anthropic.messages, local, meai. The commit kind is <c>gateway:&lt;Source&gt;</c>.</summary>
    public required string Source { get; init; }

    /// <summary>A keyed hash of the caller's credential (never the credential). Trees are kept apart per tenant.</summary>
    public string? Tenant { get; init; }

    /// <summary>The request's messages in order (system, user, assistant, tool, …). Their parents are ignored: the recorder chains them.</summary>
    public required IReadOnlyList<Node> Prompt { get; init; }

    /// <summary>The generated node, or null when nothing was generated (an upstream error): then only the prompt and the raw exchange are kept.</summary>
    public Node? Answer { get; init; }

    /// <summary>The model that answered; the answer's generation record names it by id.</summary>
    public ModelReference? Model { get; init; }

    /// <summary>Bytes the prompt's or answer's blob blocks reference (images, files, frozen state).</summary>
    public IReadOnlyList<ReadOnlyMemory<byte>> Blobs { get; init; } = [];

    /// <summary>The raw exchange document. Stored as a blob, listed among the conversation's raw sources and linked from the answer's <c>meta.exchange</c>.</summary>
    public ReadOnlyMemory<byte> Raw { get; init; }

    /// <summary>A node key of an earlier answer (for example <c>response:openai:resp_1</c>); the prompt continues under that node instead of from the root.</summary>
    public string? ContinuesFrom { get; init; }

    /// <summary>Lookup keys for the answer node (<c>instance:&lt;id&gt;</c>, <c>response:openai:&lt;id&gt;</c>).</summary>
    public IReadOnlyList<string> AnswerKeys { get; init; } = [];

    /// <summary>A title for a new conversation; by default the start of its first user message.</summary>
    public string? Title { get; init; }
}
