using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Amber.Core.Crypto;
using Amber.Storage.Keys;

namespace Amber.Storage.Index;

/// <summary>
/// What keeps an encrypted archive's index free of plaintext (docs/format/encryption.md §6). Each word the full-text
/// table takes is replaced by its keyed hash: the first 8 bytes of HMAC-SHA256 under the tenant's index key, as 13
/// base32 letters, so FTS5 indexes those and a query's words are hashed the same way before they are looked up. A
/// conversation's title is stored as AES-256-GCM under the conversation's own data key (so a shred makes it
/// unreadable even in an old copy of index.db). Both are deterministic (the title's nonce is a keyed hash of the title), so a
/// rebuild and verify's derivation give the very bytes the live index holds. Index keys are kept in keys.db beside the
/// data keys, one per tenant (subject <c>index:TENANT</c>), wrapped by the tenant key and re-wrapped when it rotates.
/// </summary>
internal sealed class IndexCipher : IDisposable
{
    /// <summary>The keys.db subject of a tenant's index key is this followed by the tenant.</summary>
    public const string SubjectPrefix = "index:";

    /// <summary>The first byte of an encrypted title: its format.</summary>
    private const byte TitleVersion = 1;

    private const int TermBytes = 8;
    private const string Base32 = "abcdefghijklmnopqrstuvwxyz234567";
    private static readonly byte[] TitleLabel = Encoding.UTF8.GetBytes("amber index title\0");

    private readonly ContentKeys keys;
    private readonly IndexTokenizer tokenizer = new();
    private readonly ConcurrentDictionary<string, byte[]> indexKeys = new(StringComparer.Ordinal);

    public IndexCipher(ContentKeys keys)
    {
        ArgumentNullException.ThrowIfNull(keys);
        this.keys = keys;
    }

    /// <summary>
    /// The text the full-text table is given for each of <paramref name="texts"/>: its words' keyed hashes under the
    /// index key of the tenant beside it, in order, separated by spaces (so the message's length in words, which
    /// ranking reads, stays the same). Null for a text whose tenant's index key cannot be had (no key provider): such a
    /// text is left out of the index rather than stored in the clear.
    /// </summary>
    public string?[] HashedTexts(IReadOnlyList<(string Text, string Tenant)> texts)
    {
        var words = tokenizer.Words([.. texts.Select(t => t.Text)]);
        var result = new string?[texts.Count];
        var line = new StringBuilder();
        var terms = new Dictionary<(string Tenant, string Word), string>(); // words repeat: one HMAC per distinct word of the batch
        for (var i = 0; i < texts.Count; i++)
        {
            if (KeyFor(texts[i].Tenant, create: true) is not { } key)
            {
                continue;
            }

            line.Clear();
            foreach (var word in words[i])
            {
                if (line.Length > 0)
                {
                    line.Append(' ');
                }

                if (!terms.TryGetValue((texts[i].Tenant, word), out var term))
                {
                    terms[(texts[i].Tenant, word)] = term = TermOf(key, word);
                }

                line.Append(term);
            }

            result[i] = line.ToString();
        }

        return result;
    }

    /// <summary>The term <paramref name="word"/> (a token, as the tokenizer gives it) is indexed as for <paramref name="tenant"/>, or null when that tenant has no index key.</summary>
    public string? Term(string word, string tenant)
    {
        if (KeyFor(tenant, create: false) is not { } key)
        {
            return null;
        }

        return TermOf(key, word);
    }

    /// <summary>The tenants whose messages the index holds (those with an index key), in order.</summary>
    public IReadOnlyList<string> Tenants()
        => [.. keys.Store.WrappedSubjects(SubjectPrefix).Select(s => s[SubjectPrefix.Length..])];

    /// <summary>The tenant whose data key <paramref name="conversation"/> has (whose index key hashes its messages' words), or null when keys.db has no row for it.</summary>
    public string? TenantOf(string conversation) => keys.Store.Get(conversation)?.Tenant;

    /// <summary>
    /// <paramref name="title"/> encrypted under the data key of <paramref name="conversation"/>: version (1) ‖ nonce (12) ‖
    /// ciphertext ‖ tag (16), the nonce a keyed hash of the title, the conversation's id as associated data. Null when
    /// the conversation's key cannot be opened (shredded, sealed, or no provider): the title is then not kept.
    /// </summary>
    public byte[]? SealTitle(string conversation, string title)
    {
        if (keys.TryForReading(conversation) is not { } dataKey)
        {
            return null;
        }

        var plain = Encoding.UTF8.GetBytes(title);
        var output = new byte[1 + WrappedKey.NonceLength + plain.Length + WrappedKey.TagLength];
        output[0] = TitleVersion;
        var nonce = output.AsSpan(1, WrappedKey.NonceLength);
        HMACSHA256.HashData(dataKey.AsSpan(), [.. TitleLabel, .. plain])[..WrappedKey.NonceLength].CopyTo(nonce);
        using var aes = new AesGcm(dataKey, WrappedKey.TagLength);
        aes.Encrypt(nonce, plain, output.AsSpan(1 + WrappedKey.NonceLength, plain.Length), output.AsSpan(output.Length - WrappedKey.TagLength), Associated(conversation));
        return output;
    }

    /// <summary>
    /// A title as the index holds it, readable: text as it is (an archive without encryption), encrypted bytes opened
    /// with the conversation's data key, or null when that key cannot be opened (shredded, sealed, no provider).
    /// </summary>
    public string? OpenTitle(object? stored, string conversation)
    {
        switch (stored)
        {
            case string text:
                return text;
            case byte[] sealedTitle when sealedTitle.Length >= 1 + WrappedKey.NonceLength + WrappedKey.TagLength && sealedTitle[0] == TitleVersion:
                if (keys.TryForReading(conversation) is not { } dataKey)
                {
                    return null;
                }

                var plain = new byte[sealedTitle.Length - 1 - WrappedKey.NonceLength - WrappedKey.TagLength];
                using (var aes = new AesGcm(dataKey, WrappedKey.TagLength))
                {
                    try
                    {
                        aes.Decrypt(sealedTitle.AsSpan(1, WrappedKey.NonceLength), sealedTitle.AsSpan(1 + WrappedKey.NonceLength, plain.Length),
                            sealedTitle.AsSpan(sealedTitle.Length - WrappedKey.TagLength), plain, Associated(conversation));
                    }
                    catch (AuthenticationTagMismatchException e)
                    {
                        throw new CorruptArchiveException($"the index's title of conversation {conversation} does not open with its data key (damaged, or moved from another row); rebuild the index (amber index rebuild).", e);
                    }
                }

                return Encoding.UTF8.GetString(plain);
            case null:
                return null;
            default:
                throw new CorruptArchiveException($"the index's title of conversation {conversation} is neither text nor an encrypted title; rebuild the index (amber index rebuild).");
        }
    }

    /// <summary>A title as an archive without an index cipher reads it: only text is a title.</summary>
    public static string? PlainTitle(object? stored) => stored as string;

    public void Dispose()
    {
        tokenizer.Dispose();
        indexKeys.Clear(); // the same arrays ContentKeys caches and zeroes when it is disposed
    }

    private static byte[] Associated(string conversation) => Encoding.UTF8.GetBytes("amber index title:" + conversation);

    private byte[]? KeyFor(string tenant, bool create)
    {
        if (indexKeys.TryGetValue(tenant, out var key))
        {
            return key;
        }

        var subject = SubjectPrefix + tenant;
        key = keys.TryForReading(subject);
        if (key is null && create && keys.Provider is not null && keys.Store.Get(subject) is null)
        {
            key = keys.ForWriting(subject, tenant);
        }

        if (key is not null)
        {
            indexKeys[tenant] = key;
        }

        return key;
    }

    private static string TermOf(byte[] key, string word)
    {
        Span<byte> mac = stackalloc byte[32];
        HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(word), mac);
        // 64 bits as 13 base32 letters (the last takes 4 bits): letters and digits only, so FTS5 keeps each as one word.
        var bits = System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(mac[..TermBytes]);
        Span<char> letters = stackalloc char[13];
        for (var i = 0; i < 13; i++)
        {
            var shift = 59 - (5 * i);
            letters[i] = Base32[(int)(shift >= 0 ? (bits >> shift) & 31 : (bits << -shift) & 31)];
        }

        return new string(letters);
    }
}
