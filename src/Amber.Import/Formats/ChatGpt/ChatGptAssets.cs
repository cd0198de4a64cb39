using Amber.Core.Hashing;

namespace Amber.Import.Formats.ChatGpt;

/// <summary>
/// Finds the files an export's asset pointers name. "file-service://file-XXXX" and "sediment://file_XXXX"
/// point at a file beside conversations.json (possibly in a subfolder such as dalle-generations/ or
/// user-XXXX/) whose name starts with file-XXXX / file_XXXX, followed by "-", "." or nothing.
/// </summary>
internal sealed class ChatGptAssets(ImportInput input)
{
    private static readonly Dictionary<string, string> MediaTypes = new(StringComparer.OrdinalIgnoreCase)
    {
        [".png"] = "image/png",
        [".jpg"] = "image/jpeg",
        [".jpeg"] = "image/jpeg",
        [".gif"] = "image/gif",
        [".webp"] = "image/webp",
        [".bmp"] = "image/bmp",
        [".svg"] = "image/svg+xml",
        [".heic"] = "image/heic",
        [".wav"] = "audio/wav",
        [".mp3"] = "audio/mpeg",
        [".m4a"] = "audio/mp4",
        [".ogg"] = "audio/ogg",
        [".opus"] = "audio/opus",
        [".webm"] = "video/webm",
        [".mp4"] = "video/mp4",
        [".pdf"] = "application/pdf",
        [".txt"] = "text/plain",
        [".json"] = "application/json",
        [".csv"] = "text/csv",
    };

    /// <summary>(file name, relative path) of every sibling, ordered by file name; listed on first use only.</summary>
    private List<(string Name, string Path)>? files;

    /// <summary>Conversations are normalized on several threads at once; the listing and the input's reads are not thread-safe.</summary>
    private readonly Lock gate = new();

    /// <summary>The asset a pointer names, or null when the pointer is not a file pointer or the file is absent.</summary>
    public ChatGptAsset? Find(string pointer)
    {
        lock (gate)
        {
            return FindLocked(pointer);
        }
    }

    private ChatGptAsset? FindLocked(string pointer)
    {
        var scheme = pointer.IndexOf("://", StringComparison.Ordinal);
        var id = scheme < 0 ? pointer : pointer[(scheme + 3)..];
        if (id.Length == 0 || id.Contains('/', StringComparison.Ordinal) || id.Contains('\\', StringComparison.Ordinal) || id is "." or "..")
        {
            return null;
        }

        files ??= input.Siblings
            .Select(p => (Name: System.IO.Path.GetFileName(p.Replace('\\', '/')), Path: p))
            .Where(f => f.Name.Length > 0 && !string.Equals(f.Path, input.FileName, StringComparison.Ordinal))
            .OrderBy(f => f.Name, StringComparer.Ordinal)
            .ThenBy(f => f.Path, StringComparer.Ordinal)
            .ToList();

        // Binary search for the first name >= id, then take the first that is id itself or id + a separator.
        int lo = 0, hi = files.Count;
        while (lo < hi)
        {
            var mid = (lo + hi) / 2;
            if (string.CompareOrdinal(files[mid].Name, id) < 0)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        for (var i = lo; i < files.Count && files[i].Name.StartsWith(id, StringComparison.Ordinal); i++)
        {
            var (name, path) = files[i];
            if (name.Length > id.Length && name[id.Length] is not ('-' or '.'))
            {
                continue;
            }

            var bytes = input.ReadSibling(path);
            if (bytes is null)
            {
                continue;
            }

            return new ChatGptAsset(ContentId.Of(bytes), bytes, name, MediaTypeOf(name, bytes));
        }

        return null;
    }

    private static string? MediaTypeOf(string name, ReadOnlySpan<byte> bytes)
    {
        if (bytes.StartsWith((ReadOnlySpan<byte>)[0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]))
        {
            return "image/png";
        }

        if (bytes.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xD8, 0xFF]))
        {
            return "image/jpeg";
        }

        if (bytes.StartsWith("GIF8"u8))
        {
            return "image/gif";
        }

        if (bytes.Length >= 12 && bytes.StartsWith("RIFF"u8))
        {
            if (bytes[8..12].SequenceEqual("WEBP"u8))
            {
                return "image/webp";
            }

            if (bytes[8..12].SequenceEqual("WAVE"u8))
            {
                return "audio/wav";
            }
        }

        return MediaTypes.GetValueOrDefault(System.IO.Path.GetExtension(name));
    }
}
