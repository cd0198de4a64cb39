using Amber.Core.Model;
using Microsoft.Extensions.AI;

namespace Amber.Revive;

/// <summary>A revival in progress: the branch's current leaf and the messages the backend sees.</summary>
public sealed class RevivalSession
{
    internal RevivalSession(RevivalTarget target, RevivalOptions options, List<ChatMessage> messages, string? overrideAnnotation)
    {
        Target = target;
        Options = options;
        Messages = messages;
        Leaf = target.LeafId;
        OverrideAnnotation = overrideAnnotation;
    }

    public RevivalTarget Target { get; }

    public RevivalOptions Options { get; }

    /// <summary>The history sent with each turn (the instance's messages, then the revival's).</summary>
    public List<ChatMessage> Messages { get; }

    /// <summary>The newest node of the revival branch (the revived instance's leaf until the first turn).</summary>
    public string Leaf { get; internal set; }

    /// <summary>The first node of the revival branch, once written.</summary>
    public string? BranchRoot { get; internal set; }

    /// <summary>The id of the rest-override annotation, when the revival overrode do-not-revive.</summary>
    public string? OverrideAnnotation { get; }

    /// <summary>The instance's answer to the revival notice, when one was sent.</summary>
    public RevivalTurn? NoticeReply { get; internal set; }

    /// <summary>Whether the backend's model differs from the instance's own (known after the first answer).</summary>
    public bool? Substitute { get; internal set; }

    internal ModelReference? ActualModel { get; set; }
}
