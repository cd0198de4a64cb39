using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace Amber.Storage.Index;

/// <summary>
/// One tenant's keyed word hashes (docs/format/encryption.md §6): <c>base32(HMAC-SHA256(index key, UTF-8 word)[0..8])</c>,
/// with one HMAC context kept for the key (no key set-up per word) and the words already hashed remembered, since most
/// words repeat across messages and batches. The memory is bounded: past <see cref="MaxRemembered"/> words it starts
/// again. <see cref="Forget"/> drops it (after a shred or seal, so no word of forgotten content stays in this process
/// longer than it must). Thread-safe.
/// </summary>
internal sealed class IndexTerms : IDisposable
{
    /// <summary>How many words are remembered at most (about 100 bytes each).</summary>
    internal const int MaxRemembered = 100_000;

    private const int TermBytes = 8;
    private const int TermLetters = 13;
    private const string Base32 = "abcdefghijklmnopqrstuvwxyz234567";

    private readonly IncrementalHash hmac;
    private readonly Dictionary<string, string> remembered = new(StringComparer.Ordinal);
    private readonly Lock gate = new();

    public IndexTerms(byte[] key)
    {
        ArgumentNullException.ThrowIfNull(key);
        hmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, key);
    }

    /// <summary>The term <paramref name="word"/> is indexed as.</summary>
    public string Of(string word)
    {
        lock (gate)
        {
            if (remembered.TryGetValue(word, out var term))
            {
                return term;
            }

            term = Hash(word);
            if (remembered.Count >= MaxRemembered)
            {
                remembered.Clear();
            }

            remembered[word] = term;
            return term;
        }
    }

    /// <summary>Drops every remembered word.</summary>
    public void Forget()
    {
        lock (gate)
        {
            remembered.Clear();
        }
    }

    public void Dispose()
    {
        lock (gate)
        {
            remembered.Clear();
            hmac.Dispose();
        }
    }

    private string Hash(string word)
    {
        var max = Encoding.UTF8.GetMaxByteCount(word.Length);
        var large = max <= 256 ? null : new byte[max];
        Span<byte> utf8 = large ?? stackalloc byte[256];
        var length = Encoding.UTF8.GetBytes(word, utf8);
        hmac.AppendData(utf8[..length]);
        Span<byte> mac = stackalloc byte[32];
        hmac.GetHashAndReset(mac);
        // 64 bits as 13 base32 letters (the last takes 4 bits): letters and digits only, so FTS5 keeps each as one word.
        var bits = BinaryPrimitives.ReadUInt64BigEndian(mac[..TermBytes]);
        Span<char> letters = stackalloc char[TermLetters];
        for (var i = 0; i < TermLetters; i++)
        {
            var shift = 59 - (5 * i);
            letters[i] = Base32[(int)(shift >= 0 ? (bits >> shift) & 31 : (bits << -shift) & 31)];
        }

        return new string(letters);
    }
}
