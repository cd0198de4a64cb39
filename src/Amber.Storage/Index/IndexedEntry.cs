using Amber.Storage.Format;

namespace Amber.Storage.Index;

/// <summary>One decoded entry of a commit frame, with where it lives, ready to be indexed.</summary>
internal readonly record struct IndexedEntry(EntryType Type, int EntryOffset, ReadOnlyMemory<byte> Body);
