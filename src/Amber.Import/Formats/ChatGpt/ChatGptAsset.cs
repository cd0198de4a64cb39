namespace Amber.Import.Formats.ChatGpt;

/// <summary>An export file an asset pointer resolved to: its bytes, content id, file name and media type.</summary>
internal sealed record ChatGptAsset(string Blob, ReadOnlyMemory<byte> Bytes, string Name, string? MediaType);
