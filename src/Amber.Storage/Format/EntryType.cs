namespace Amber.Storage.Format;

/// <summary>The entries inside a commit frame's (decompressed) payload.</summary>
internal enum EntryType : byte
{
    /// <summary>The commit info record (canonical JSON), always first; it becomes the log entry.</summary>
    Info = 1,

    /// <summary>A conversation record (canonical JSON).</summary>
    Conversation = 2,

    /// <summary>A model reference (canonical JSON).</summary>
    Model = 3,

    /// <summary>A node (canonical JSON); its id is the SHA-256 of these bytes.</summary>
    Node = 4,

    /// <summary>A blob stored inline: 32-byte SHA-256, then the bytes.</summary>
    Blob = 5,

    /// <summary>A blob stored as its own file: 32-byte SHA-256, then u64 length.</summary>
    ExternalBlob = 6,

    /// <summary>Which nodes a conversation gained in this commit (canonical JSON: conversation, nodes); the info names them by digest.</summary>
    Membership = 7,

    /// <summary>An annotation about a stored node or conversation (canonical JSON); the info lists its id.</summary>
    Annotation = 8,

    /// <summary>
    /// Never written: what a reader sees in place of a conversation's encrypted block when its data key is not
    /// available (sealed, shredded, or no key provider). The body starts with the conversation id (encryption.md §5).
    /// </summary>
    Locked = 9,
}
