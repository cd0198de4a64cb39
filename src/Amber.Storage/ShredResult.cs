namespace Amber.Storage;

/// <summary>What <see cref="Archive.Shred"/> destroyed and where the log records it.</summary>
/// <param name="Conversations">The conversations whose data keys were destroyed.</param>
/// <param name="TombstoneSequence">The log entry (commit seq) holding the tombstone.</param>
public sealed record ShredResult(IReadOnlyList<string> Conversations, long TombstoneSequence);
