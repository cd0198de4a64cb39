namespace Amber.Storage.Format;

/// <summary>How a frame's payload is encoded.</summary>
public enum Codec : byte
{
    None = 0,
    Zstd = 1,
    ZstdDictionary = 2,
}
