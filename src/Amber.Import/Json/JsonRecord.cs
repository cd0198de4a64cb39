namespace Amber.Import.Json;

/// <summary>One top-level record of a JSON or JSON Lines file: its exact bytes, index, and byte offset in the file.</summary>
public readonly record struct JsonRecord(int Index, long Offset, ReadOnlyMemory<byte> Bytes, int? Line = null)
{
    /// <summary>"record 12 (byte 34567)" or "line 13".</summary>
    public string Where => Line is { } l ? $"line {l}" : $"record {Index} (byte {Offset})";
}
