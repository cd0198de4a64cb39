using System.Text;
using ZstdSharp;

namespace Amber.Storage.Tests.Encryption;

/// <summary>
/// Looks for strings in every file under a folder: in the bytes as they are and in every zstd frame found in them,
/// decompressed (the encodings the archive writes). A test of secrecy must fail if any of them holds a canary.
/// </summary>
internal static class CanaryScan
{
    private static readonly byte[] ZstdMagic = [0x28, 0xB5, 0x2F, 0xFD];

    /// <summary>"FILE: CANARY (plain|zstd@OFFSET)" for each find under <paramref name="folder"/>.</summary>
    public static List<string> Find(string folder, IReadOnlyList<string> canaries, Func<string, bool>? include = null)
    {
        var found = new List<string>();
        foreach (var path in Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories))
        {
            if (include is not null && !include(path))
            {
                continue;
            }

            if (path.EndsWith(".lock", StringComparison.Ordinal) && new FileInfo(path).Length == 0)
            {
                continue; // an empty lock file a live process holds exclusively: nothing to read
            }

            found.AddRange(FindInBytes(File.ReadAllBytes(path), canaries).Select(f => $"{Path.GetRelativePath(folder, path)}: {f}"));
        }

        return found;
    }

    public static List<string> FindInBytes(byte[] bytes, IReadOnlyList<string> canaries)
    {
        var found = new List<string>();
        foreach (var canary in canaries)
        {
            if (bytes.AsSpan().IndexOf(Encoding.UTF8.GetBytes(canary)) >= 0)
            {
                found.Add($"{canary} (plain)");
            }
        }

        for (var at = bytes.AsSpan().IndexOf(ZstdMagic); at >= 0;)
        {
            if (TryDecompress(bytes.AsSpan(at)) is { } plain)
            {
                foreach (var canary in canaries)
                {
                    if (plain.AsSpan().IndexOf(Encoding.UTF8.GetBytes(canary)) >= 0)
                    {
                        found.Add($"{canary} (zstd@{at})");
                    }
                }
            }

            var next = bytes.AsSpan(at + 1).IndexOf(ZstdMagic);
            at = next < 0 ? -1 : at + 1 + next;
        }

        return found;
    }

    /// <summary>What a zstd frame starting here decompresses to, up to the first byte that is not zstd (a frame's end meets other bytes).</summary>
    private static byte[]? TryDecompress(ReadOnlySpan<byte> from)
    {
        using var output = new MemoryStream();
        try
        {
            using var input = new MemoryStream(from.ToArray());
            using var z = new DecompressionStream(input);
            var buffer = new byte[81920];
            int n;
            while ((n = z.Read(buffer)) > 0 && output.Length < (64 << 20))
            {
                output.Write(buffer, 0, n);
            }
        }
        catch (Exception e) when (e is ZstdException or IOException or InvalidOperationException or ArgumentException)
        {
            // The bytes after the frame are not zstd: what came before them is the frame's content.
        }

        return output.Length == 0 ? null : output.ToArray();
    }
}
