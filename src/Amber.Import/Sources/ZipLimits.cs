using System.IO.Compression;

namespace Amber.Import.Sources;

/// <summary>Checks a zip's entries before anything is read: path traversal, entry count, sizes and ratios.</summary>
internal static class ZipLimits
{
    public static void Check(string zipPath, ZipArchive zip, ImportOptions options)
    {
        if (zip.Entries.Count > options.MaxZipEntries)
        {
            throw new ImportException($"{zipPath}: {zip.Entries.Count} entries exceed the limit of {options.MaxZipEntries}.");
        }

        long total = 0;
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var e in zip.Entries)
        {
            var name = e.FullName.Replace('\\', '/');
            if (!names.Add(name))
            {
                throw new ImportException($"{zipPath}: entry \"{e.FullName}\" appears twice; nothing was imported from this zip.");
            }

            if (name.StartsWith('/') || name.Contains(':', StringComparison.Ordinal) || name.Split('/').Any(p => p == ".."))
            {
                throw new ImportException($"{zipPath}: entry \"{e.FullName}\" points outside the archive (path traversal); nothing was imported from this zip.");
            }

            if (e.Length > options.MaxZipEntryBytes)
            {
                throw new ImportException($"{zipPath}!{e.FullName}: {e.Length} bytes uncompressed exceed the per-entry limit of {options.MaxZipEntryBytes}.");
            }

            if (e.Length > (1 << 20) && e.CompressedLength > 0 && (double)e.Length / e.CompressedLength > options.MaxZipRatio)
            {
                throw new ImportException($"{zipPath}!{e.FullName}: compression ratio {(double)e.Length / e.CompressedLength:0} exceeds {options.MaxZipRatio} (zip bomb?).");
            }

            total += e.Length;
            if (total > options.MaxZipTotalBytes)
            {
                throw new ImportException($"{zipPath}: entries total more than {options.MaxZipTotalBytes} bytes uncompressed (zip bomb?).");
            }
        }
    }

    /// <summary>Opens an entry so that reading more bytes than its header declares fails (headers can lie).</summary>
    public static Stream OpenBounded(string zipPath, ZipArchiveEntry entry) => new BoundedStream(entry.Open(), entry.Length, $"{zipPath}!{entry.FullName}");

    private sealed class BoundedStream(Stream inner, long limit, string name) : Stream
    {
        private long read;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => limit;

        public override long Position
        {
            get => read;
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count)
        {
            var n = inner.Read(buffer, offset, count);
            read += n;
            if (read > limit)
            {
                throw new ImportException($"{name}: decompresses to more than the {limit} bytes its header declares (zip bomb?).");
            }

            return n;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
