using System.Diagnostics;
using System.Security.Cryptography;
using Amber.Core.Crypto;
using ZstdSharp;

namespace Amber.Benchmarks;

/// <summary>
/// <c>crypto</c>: what per-conversation encryption (docs/format/encryption.md §5) would add, against the zstd work the
/// writer and reader already do on the same bytes, in the same run. Each corpus record stands for one conversation:
/// compressed on its own at level 9 (encrypt-then-pack), its data key wrapped, the compressed bytes AES-256-GCM
/// encrypted; and the size of per-conversation compression against 512 KiB packs of the same records.
/// </summary>
public static class CryptoCommand
{
    private const int Level = 9;
    private const int PackBytes = 512 * 1024;
    private const int Rounds = 5;
    private const int DictionaryBytes = 32 << 10; // ArchiveOptions.DictionarySize

    public static int Run(BenchOptions options)
    {
        var corpus = Corpus.Load(options.CorpusDirectory);
        Console.WriteLine(MachineInfo.Describe(options.Repository));
        Console.WriteLine($"- corpus: {corpus.Records.Count:N0} records, {Fmt.Bytes(corpus.RawBytes)} bytes; zstd level {Level}; best of {Rounds} rounds");
        Console.WriteLine();

        var records = corpus.Records.Select(r => r.Bytes.ToArray()).ToList();
        using var compressor = new Compressor(Level);
        using var decompressor = new Decompressor();
        using var random = RandomNumberGenerator.Create();
        var tenantKey = new TenantKey("bench", 1, RandomNumberGenerator.GetBytes(TenantKey.Length));

        var compressed = records.Select(r => compressor.Wrap(r).ToArray()).ToList();
        var dataKeys = records.Select(_ => DataKey.Create(random)).ToList();
        var ids = records.Select((_, i) => $"sha256:{i:x64}").ToList();
        var wrapped = new List<WrappedKey>(records.Count);
        var encrypted = new List<byte[]>(records.Count);
        var perConversation = compressed.Sum(c => (long)c.Length);
        var packed = Packs(records).Sum(p => (long)compressor.Wrap(p).Length);
        var dictionary = DictBuilder.TrainFromBuffer(records, DictionaryBytes).ToArray();
        long withDictionary;
        using (var dictCompressor = new Compressor(Level))
        {
            dictCompressor.LoadDictionary(dictionary);
            withDictionary = records.Sum(r => (long)dictCompressor.Wrap(r).Length) + dictionary.Length;
        }

        var compress = Best(() =>
        {
            foreach (var r in records)
            {
                _ = compressor.Wrap(r);
            }
        });
        var decompress = Best(() =>
        {
            foreach (var c in compressed)
            {
                _ = decompressor.Unwrap(c);
            }
        });
        var encrypt = Best(() =>
        {
            wrapped.Clear();
            encrypted.Clear();
            for (var i = 0; i < records.Count; i++)
            {
                wrapped.Add(KeyWrap.Wrap(tenantKey, ids[i], dataKeys[i], random));
                using var cipher = new ContentCipher(dataKeys[i], random);
                encrypted.Add(cipher.Encrypt(compressed[i], System.Text.Encoding.UTF8.GetBytes(ids[i])));
            }
        });
        var decrypt = Best(() =>
        {
            for (var i = 0; i < records.Count; i++)
            {
                var key = KeyWrap.Unwrap(tenantKey, wrapped[i]);
                using var cipher = new ContentCipher(key, random);
                _ = cipher.Decrypt(encrypted[i], System.Text.Encoding.UTF8.GetBytes(ids[i]), "bench");
            }
        });
        var rewrap = Best(() =>
        {
            var v2 = new TenantKey("bench", 2, RandomNumberGenerator.GetBytes(TenantKey.Length));
            foreach (var w in wrapped)
            {
                _ = KeyWrap.Rewrap(tenantKey, v2, w, random);
            }
        });

        var time = new MarkdownTable("Operation on every record", "ms:", "MB/s of raw:", "÷ its zstd baseline:");
        var raw = corpus.RawBytes;
        time.Add($"baseline: zstd-{Level} compress, per record", Fmt.Ms(compress), Rate(raw, compress), "1.000");
        time.Add("wrap a data key + AES-256-GCM encrypt the compressed record", Fmt.Ms(encrypt), Rate(raw, encrypt), Fmt.Ratio(encrypt / compress));
        time.Add("baseline: zstd decompress, per record", Fmt.Ms(decompress), Rate(raw, decompress), "1.000");
        time.Add("unwrap the data key + AES-256-GCM decrypt", Fmt.Ms(decrypt), Rate(raw, decrypt), Fmt.Ratio(decrypt / decompress));
        time.Add("rotation: re-wrap every data key (content untouched)", Fmt.Ms(rewrap), "-", "-");
        Console.WriteLine(time);

        var size = new MarkdownTable("Layout of the same records", "bytes:", "÷ 512 KiB packs:");
        size.Add($"baseline: zstd-{Level} of 512 KiB packs (today's writer, no packing codec)", Fmt.Bytes(packed), "1.000");
        size.Add($"zstd-{Level} per record (encrypt-then-pack, before encryption)", Fmt.Bytes(perConversation), Fmt.Ratio((double)perConversation / packed));
        var overhead = perConversation + (records.Count * (long)ContentCipher.Overhead) + wrapped.Sum(w => (long)w.Encode().Length);
        size.Add("+ 28 bytes nonce and tag per record + one wrapped-key record each", Fmt.Bytes(overhead), Fmt.Ratio((double)overhead / packed));
        size.Add($"zstd-{Level} per record with a 32 KiB dictionary trained on the records (+ the dictionary)", Fmt.Bytes(withDictionary), Fmt.Ratio((double)withDictionary / packed));
        Console.WriteLine(size);
        return 0;
    }

    private static IEnumerable<byte[]> Packs(List<byte[]> records)
    {
        var pack = new List<byte>(PackBytes + 65536);
        foreach (var r in records)
        {
            pack.AddRange(r);
            if (pack.Count >= PackBytes)
            {
                yield return [.. pack];
                pack.Clear();
            }
        }

        if (pack.Count > 0)
        {
            yield return [.. pack];
        }
    }

    private static double Best(Action round)
    {
        var best = double.MaxValue;
        for (var i = 0; i < Rounds; i++)
        {
            var watch = Stopwatch.StartNew();
            round();
            best = Math.Min(best, watch.Elapsed.TotalMilliseconds);
        }

        return best;
    }

    private static string Rate(long bytes, double ms) => Fmt.Rate(bytes / 1e6 / (ms / 1000));
}
