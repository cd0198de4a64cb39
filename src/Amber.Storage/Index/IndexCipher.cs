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

    private static readonly byte[] TitleLabel = Encoding.UTF8.GetBytes("amber index title\0");

    private readonly ContentKeys keys;
    private readonly IndexTokenizer tokenizer = new();
    private readonly ConcurrentDictionary<string, IndexTerms> tenantTerms = new(StringComparer.Ordinal);

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
        var terms = new IndexTerms?[texts.Count];
        for (var i = 0; i < texts.Count; i++)
        {
            terms[i] = TermsFor(texts[i].Tenant, create: true);
        }

        // Each distinct word once, with the texts it occurs in (a text as often as the word occurs in it): most texts are
        // cut here (PlainWords), the rest by SQLite's tokenizer. A text's line holds its words' hashes in the order the
        // words were first met; the full-text table keeps no positions (detail=none), so only the words and their count
        // matter.
        var occurrences = new Dictionary<string, List<int>>(StringComparer.Ordinal);
        var lookup = occurrences.GetAlternateLookup<ReadOnlySpan<char>>();
        var left = new List<int>();
        var plain = IndexTokenizer.Plain;
        for (var i = 0; i < texts.Count; i++)
        {
            if (terms[i] is null)
            {
                continue;
            }

            var doc = i;
            if (!plain.IsPlain(texts[i].Text))
            {
                left.Add(i);
                continue;
            }

            plain.Cut(texts[i].Text, word =>
            {
                if (!lookup.TryGetValue(word, out var docs))
                {
                    lookup[word] = docs = [];
                }

                docs.Add(doc);
            });
        }

        foreach (var (word, docs) in tokenizer.Words([.. left.Select(i => texts[i].Text)]))
        {
            if (!occurrences.TryGetValue(word, out var all))
            {
                occurrences[word] = all = [];
            }

            all.AddRange(docs.Select(d => left[d]));
        }

        var lines = new StringBuilder?[texts.Count];
        foreach (var (word, docs) in occurrences)
        {
            IndexTerms? lastTerms = null;
            var term = "";
            foreach (var doc in docs)
            {
                var tenantTerms = terms[doc]!;
                if (!ReferenceEquals(tenantTerms, lastTerms))
                {
                    term = tenantTerms.Of(word);
                    lastTerms = tenantTerms;
                }

                var line = lines[doc] ??= new StringBuilder();
                if (line.Length > 0)
                {
                    line.Append(' ');
                }

                line.Append(term);
            }
        }

        var result = new string?[texts.Count];
        for (var i = 0; i < texts.Count; i++)
        {
            result[i] = terms[i] is null ? null : lines[i]?.ToString() ?? "";
        }

        return result;
    }

    /// <summary>The term <paramref name="word"/> (a token, as the tokenizer gives it) is indexed as for <paramref name="tenant"/>, or null when that tenant has no index key.</summary>
    public string? Term(string word, string tenant) => TermsFor(tenant, create: false)?.Of(word);

    /// <summary>Drops every word remembered with its hash (after a shred or seal).</summary>
    public void ForgetWords()
    {
        foreach (var terms in tenantTerms.Values)
        {
            terms.Forget();
        }
    }

    /// <summary>The tenants whose messages the index holds (those with an index key), in order.</summary>
    public IReadOnlyList<string> Tenants()
        => [.. keys.Store.WrappedSubjects(SubjectPrefix).Select(s => s[SubjectPrefix.Length..])];

    /// <summary>The tenant whose data key <paramref name="conversation"/> has (whose index key hashes its messages' words), or null when keys.db has no row for it.</summary>
    public string? TenantOf(string conversation) => keys.TenantOf(conversation);

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
        foreach (var terms in tenantTerms.Values)
        {
            terms.Dispose();
        }

        tenantTerms.Clear();
    }

    private static byte[] Associated(string conversation) => Encoding.UTF8.GetBytes("amber index title:" + conversation);

    private IndexTerms? TermsFor(string tenant, bool create)
    {
        if (tenantTerms.TryGetValue(tenant, out var terms))
        {
            return terms;
        }

        var subject = SubjectPrefix + tenant;
        var key = keys.TryForReading(subject);
        if (key is null && create && keys.Provider is not null && keys.Store.Get(subject) is null)
        {
            key = keys.FiledAtOnce(subject, tenant);
        }

        if (key is null)
        {
            return null;
        }

        var made = new IndexTerms(key);
        if (!tenantTerms.TryAdd(tenant, made))
        {
            made.Dispose();
        }

        return tenantTerms[tenant];
    }

}
