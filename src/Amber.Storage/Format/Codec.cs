namespace Amber.Storage.Format;

/// <summary>How a frame's payload is encoded.</summary>
internal enum Codec : byte
{
    None = 0,
    Zstd = 1,
    ZstdDictionary = 2,
}
