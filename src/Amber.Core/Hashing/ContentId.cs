using System.Security.Cryptography;
using Amber.Core.Json;

namespace Amber.Core.Hashing;

/// <summary>
/// Content identifiers: <c>sha256:</c> followed by 64 lowercase hex digits, computed over exact bytes
/// (blobs) or over RFC 8785 canonical JSON (records). See docs/format/hash-contract.md.
/// </summary>
public static class ContentId
{
    public const string Prefix = "sha256:";
    public const int Length = 71;

    public static string Of(ReadOnlySpan<byte> bytes) => Format(SHA256.HashData(bytes));

    public static string Format(ReadOnlySpan<byte> digest)
    {
        if (digest.Length != 32)
        {
            throw new ArgumentException("A SHA-256 digest is 32 bytes.", nameof(digest));
        }

        return Prefix + Convert.ToHexStringLower(digest);
    }

    /// <summary>The id of a JSON record: SHA-256 over its canonical UTF-8 bytes.</summary>
    public static string OfCanonical(System.Text.Json.Nodes.JsonNode record) => Of(CanonicalJson.Canonicalize(record));

    public static bool IsValid(string? id)
    {
        if (id is null || id.Length != Length || !id.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return false;
        }

        foreach (var c in id.AsSpan(Prefix.Length))
        {
            if (!char.IsAsciiHexDigitLower(c) && !char.IsAsciiDigit(c))
            {
                return false;
            }
        }

        return true;
    }

    public static byte[] ToDigest(string id)
    {
        if (!IsValid(id))
        {
            throw new FormatException($"\"{id}\" is not a content id (expected sha256: and 64 lowercase hex digits).");
        }

        return Convert.FromHexString(id.AsSpan(Prefix.Length));
    }
}
