namespace Amber.Import;

/// <summary>Progress of an import: the file being read, and conversations committed so far.</summary>
public readonly record struct ImportProgress(string File, long BytesRead, long BytesTotal, int Conversations);
