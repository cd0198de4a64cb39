namespace Amber.Fuzz.Targets;

/// <summary>A seed input and the file name it is imported under (some formats are recognized by name).</summary>
public sealed record NamedSeed(string FileName, byte[] Bytes);
