namespace Amber.Revive.LlamaSharp.Gguf;

/// <summary>One metadata key of a GGUF file: its type and the exact bytes of its encoded value.</summary>
public sealed record GgufEntry(string Key, GgufValueType Type, byte[] RawValue)
{
    /// <summary>The value as a string when it is a GGUF string, else null.</summary>
    public string? AsString() => Type == GgufValueType.String ? System.Text.Encoding.UTF8.GetString(RawValue, 8, RawValue.Length - 8) : null;
}
