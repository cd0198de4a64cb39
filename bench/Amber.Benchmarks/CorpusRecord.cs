namespace Amber.Benchmarks;

/// <summary>One top-level conversation record of a corpus file: its exact bytes and the JSON string values found in it.</summary>
/// <param name="Folder">The corpus folder (used as commit kind and conversation format).</param>
/// <param name="File">The file name inside the folder (the conversation's source).</param>
/// <param name="Index">The record's position in its file (the conversation's source id).</param>
/// <param name="Bytes">The record's exact bytes, sliced from the file.</param>
/// <param name="Text">Every JSON string value of the record, joined with "\n" (the stand-in normalized form).</param>
public sealed record CorpusRecord(string Folder, string File, int Index, ReadOnlyMemory<byte> Bytes, string Text);
