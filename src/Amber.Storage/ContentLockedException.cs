using Amber.Storage.Keys;

namespace Amber.Storage;

/// <summary>
/// The content asked for belongs to an encrypted conversation this process cannot open: sealed (until its trustees
/// unseal it), shredded (never again), or the archive was opened with no key provider. The message says which.
/// </summary>
public sealed class ContentLockedException : Exception
{
    public ContentLockedException(string conversationId, KeyState? state, bool hasKeyProvider)
        : base(Describe(conversationId, state, hasKeyProvider))
    {
        ConversationId = conversationId;
        State = state;
    }

    public ContentLockedException()
    {
        ConversationId = "";
    }

    public ContentLockedException(string message)
        : base(message)
    {
        ConversationId = "";
    }

    public ContentLockedException(string message, Exception inner)
        : base(message, inner)
    {
        ConversationId = "";
    }

    public string ConversationId { get; }

    /// <summary>What keys.db says of the conversation (null: no row).</summary>
    public KeyState? State { get; }

    /// <summary>"sealed", "shredded" or "locked".</summary>
    public string Word => State switch
    {
        KeyState.Sealed => "sealed",
        KeyState.Shredded => "shredded",
        _ => "locked",
    };

    private static string Describe(string id, KeyState? state, bool hasKeyProvider) => state switch
    {
        KeyState.Sealed => $"conversation {id} is sealed: its content opens only when its trustees give enough shares (amber unseal {id}).",
        KeyState.Shredded => $"conversation {id} is shredded: its data key was destroyed and its content can never be read again.",
        _ when !hasKeyProvider => $"conversation {id} is encrypted and this process has no key provider (set AMBER_KEYS_DIR or AMBER_MASTER_KEY_1).",
        _ => $"conversation {id} is locked: keys.db holds no data key for it.",
    };
}
