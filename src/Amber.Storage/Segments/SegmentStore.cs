using Amber.Core.Hashing;
using Amber.Storage.FileSystem;
using Amber.Storage.Format;

namespace Amber.Storage.Segments;

/// <summary>
/// The archive's files: the segment files and the frames in them, the zstd dictionaries their commit frames are
/// compressed with, the external blob files, and <c>writer.chk</c>. It reads and locates frames and decodes them
/// (decoded frames are cached, bounded in bytes); the writer's tail is <see cref="ActiveSegment"/> and recovery of a torn tail
/// is <see cref="SegmentRecovery"/>. Nothing here reads the index.
/// </summary>
internal sealed class SegmentStore : IDisposable
{
    /// <summary>Decoded bytes the read cache keeps at most: a few merged frames (segment.md §14), or many small ones.</summary>
    public const long FrameCacheBytes = 48L << 20;

    /// <summary>Decoded frames the read cache keeps at most, however small.</summary>
    public const int FrameCacheFrames = 64;

    private readonly Dictionary<uint, byte[]> dictionaries = [];
    private readonly Dictionary<string, uint> dictionaryByLabel = new(StringComparer.Ordinal);
    private readonly Lock readLock = new();
    private readonly LinkedList<DecodedFrame> frameCache = new();
    private long cachedBytes;
    private Compression? readCompression;

    public SegmentStore(ArchiveOptions options)
    {
        Options = options;
        Paths = new ArchivePaths(options.Directory);
        FileSystem = options.FileSystem;
    }

    public ArchiveOptions Options { get; }

    public ArchivePaths Paths { get; }

    public IFileSystem FileSystem { get; }

    /// <summary>
    /// Called when a commit frame names a dictionary this process does not hold: a read-only process then loads the
    /// dictionaries another process's writer trained after it opened (the archive sets it; it reads the index).
    /// </summary>
    public Action? DictionaryMissing { get; set; }

    /// <summary>An encrypted archive's data keys (null for an archive without encryption): codec-5 frames decode with them.</summary>
    public Keys.ContentKeys? ContentKeys { get; set; }

    /// <summary>Drops every decoded frame this process holds (after a shred or seal: no plaintext stays in memory).</summary>
    public void ForgetDecodedFrames()
    {
        lock (readLock)
        {
            frameCache.Clear();
            cachedBytes = 0;
        }
    }

    public byte[] ReadAll(string path)
    {
        using var f = FileSystem.OpenRead(path);
        var b = new byte[f.Length];
        f.Read(0, b);
        return b;
    }

    public static void CreateSegmentFile(IFileSystem fs, ArchivePaths paths, uint number, byte[] archiveId, long createdMs)
    {
        var header = new byte[SegmentHeader.Size];
        new SegmentHeader(SegmentHeader.CurrentVersion, SegmentHeader.CurrentVersion, number, archiveId, createdMs).Write(header);
        AtomicFile.Write(fs, paths.Segment(number), header);
    }

    public List<uint> SegmentNumbers()
    {
        var list = new List<uint>();
        foreach (var name in FileSystem.ListFiles(Paths.Segments))
        {
            if (ArchivePaths.TryParseSegmentName(name, out var n))
            {
                list.Add(n);
            }
        }

        list.Sort();
        return list;
    }

    /// <summary>Reads and checks one frame at a known position.</summary>
    public byte[] ReadFrameBytes(uint segment, long offset)
    {
        using var f = FileSystem.OpenRead(Paths.Segment(segment));
        return ReadFrameBytes(f, segment, offset);
    }

    public static byte[] ReadFrameBytes(IStorageFile f, uint segment, long offset)
    {
        Span<byte> head = stackalloc byte[4];
        if (f.Read(offset, head) < 4 || RecordFrame.ReadBodyLength(head) is not int n)
        {
            throw new CorruptArchiveException($"{ArchivePaths.SegmentName(segment)} at {offset}: no frame starts here.");
        }

        var bytes = new byte[n + 12];
        if (f.Read(offset, bytes) != bytes.Length)
        {
            throw new CorruptArchiveException($"{ArchivePaths.SegmentName(segment)} at {offset}: frame cut short.");
        }

        var check = RecordFrame.Check(bytes);
        if (check != FrameCheck.Ok)
        {
            throw new CorruptArchiveException($"{ArchivePaths.SegmentName(segment)} at {offset}: {SegmentScanner.Describe(check)}.");
        }

        return bytes;
    }

    public void WriteCheckpoint(Checkpoint checkpoint, bool sync)
    {
        using var f = FileSystem.OpenWrite(Paths.Checkpoint, create: true);
        f.Write(0, checkpoint.ToBytes());
        if (sync)
        {
            f.Sync();
        }
    }

    /// <summary>Loads the dictionary frames at the given locations (the index lists them).</summary>
    public void LoadDictionaries(IEnumerable<(uint DictId, string Label, uint Segment, long Offset)> locations)
    {
        foreach (var (id, label, segment, offset) in locations)
        {
            var frame = ReadFrameBytes(segment, offset);
            var (_, dict) = Compression.DecodeDictionaryPayload(RecordFrame.Payload(frame));
            AddDictionary(id, label, dict);
        }
    }

    /// <summary>Dictionaries are shared between the writer thread and readers; all access goes through these three methods.</summary>
    public void AddDictionary(uint id, string label, byte[] dictionary)
    {
        lock (dictionaries)
        {
            dictionaries[id] = dictionary;
            dictionaryByLabel[label] = id;
        }
    }

    public Dictionary<uint, byte[]> SnapshotDictionaries()
    {
        lock (dictionaries)
        {
            return new Dictionary<uint, byte[]>(dictionaries);
        }
    }

    public bool TryGetDictionaryFor(string label, out uint id, out byte[]? dictionary)
    {
        lock (dictionaries)
        {
            dictionary = null;
            return dictionaryByLabel.TryGetValue(label, out id) && dictionaries.TryGetValue(id, out dictionary);
        }
    }

    /// <summary>Reads one entry's body from a commit frame, decoding the frame once (decoded frames are cached).</summary>
    public ReadOnlyMemory<byte> ReadEntry(uint segment, long offset, int entryOffset, int entryLength)
    {
        ThrowIfLocked(segment, offset, entryOffset);
        return EntryOf(ReadDecodedFrame(segment, offset), segment, offset, entryOffset, entryLength);
    }

    /// <summary>Throws <see cref="ContentLockedException"/> when the entry at <paramref name="entryOffset"/> is in a block this process cannot open.</summary>
    public void ThrowIfLocked(uint segment, long offset, int entryOffset)
    {
        foreach (var (start, end, conversation) in Decoded(segment, offset).Locked)
        {
            if (entryOffset >= start && entryOffset < end)
            {
                var state = ContentKeys?.Store.Get(conversation)?.State;
                throw new ContentLockedException(conversation, state, ContentKeys?.Provider is not null);
            }
        }
    }

    public static ReadOnlyMemory<byte> EntryOf(byte[] payload, uint segment, long offset, int entryOffset, int entryLength)
    {
        if (entryOffset < 0 || entryLength < 0 || entryOffset > payload.Length - entryLength)
        {
            throw new CorruptArchiveException($"{ArchivePaths.SegmentName(segment)} at {offset}: the index points past the end of the commit.");
        }

        return payload.AsMemory(entryOffset, entryLength);
    }

    /// <summary>
    /// The entry sequence of commit <paramref name="seq"/>, whose frame is at <paramref name="offset"/>: the whole
    /// decoded payload of a commit frame, or that commit's part of a merged one (record-frame.md §4a).
    /// </summary>
    public ReadOnlyMemory<byte> ReadCommitPayload(uint segment, long offset, long seq)
    {
        var frame = Decoded(segment, offset);
        if (frame.Kind != FrameKind.Commits)
        {
            return frame.Payload;
        }

        lock (readLock)
        {
            frame.Members ??= MembersOf(frame.Payload, segment, offset);
        }

        foreach (var (memberSeq, start, length) in frame.Members)
        {
            if (memberSeq == seq)
            {
                return frame.Payload.AsMemory(start, length);
            }
        }

        throw new CorruptArchiveException($"{ArchivePaths.SegmentName(segment)} at {offset}: the merged commit frame the index places commit {seq} in does not hold it.");
    }

    /// <summary>The whole decoded payload of the commit frame at <paramref name="offset"/> (entry offsets are offsets in it).</summary>
    public byte[] ReadDecodedFrame(uint segment, long offset) => Decoded(segment, offset).Payload;

    private static (long Seq, int Start, int Length)[] MembersOf(byte[] payload, uint segment, long offset)
    {
        try
        {
            return MergedCommits.Members(payload).Select(m => (MergedCommits.SeqOf(payload.AsSpan(m.Start, m.Length)), m.Start, m.Length)).ToArray();
        }
        catch (Exception e) when (e is FormatException or System.Text.Json.JsonException or InvalidOperationException or NullReferenceException)
        {
            throw new CorruptArchiveException($"{ArchivePaths.SegmentName(segment)} at {offset}: the merged commit frame's commits cannot be told apart: {e.Message}", e);
        }
    }

    private DecodedFrame Decoded(uint segment, long offset)
    {
        lock (readLock)
        {
            for (var n = frameCache.First; n is not null; n = n.Next)
            {
                if (n.Value.Segment == segment && n.Value.Offset == offset)
                {
                    frameCache.Remove(n);
                    frameCache.AddFirst(n);
                    return n.Value;
                }
            }

            var frame = ReadFrameBytes(segment, offset);
            var header = RecordFrame.ReadHeader(frame);
            if (header.Kind is not (FrameKind.Commit or FrameKind.Commits))
            {
                throw new CorruptArchiveException($"{ArchivePaths.SegmentName(segment)} at {offset}: the index places a commit where a frame of kind {header.Kind} is.");
            }

            if (readCompression is null || (header.NeedsDictionary && !readCompression.HasDictionary(header.DictionaryId)))
            {
                if (header.NeedsDictionary && !SnapshotDictionaries().ContainsKey(header.DictionaryId))
                {
                    DictionaryMissing?.Invoke(); // trained by the writer process after this one opened
                }

                readCompression?.Dispose();
                readCompression = new Compression(SnapshotDictionaries(), ContentKeys);
            }

            byte[] payload;
            try
            {
                payload = readCompression.Decode(header, RecordFrame.Payload(frame));
            }
            catch (FormatException e)
            {
                throw new CorruptArchiveException($"{ArchivePaths.SegmentName(segment)} at {offset}: {e.Message}", e);
            }

            var decoded = new DecodedFrame(segment, offset, header.Kind, payload)
            {
                Locked = header.Codec == Codec.SealedBlocks ? SealedBlocks.LockedRanges(payload) : [],
            };
            frameCache.AddFirst(decoded);
            cachedBytes += payload.Length;

            // Bounded by bytes, not frames: a merged frame is a few MiB, a commit frame often a few KiB.
            while (frameCache.Count > 1 && (cachedBytes > FrameCacheBytes || frameCache.Count > FrameCacheFrames))
            {
                cachedBytes -= frameCache.Last!.Value.Payload.Length;
                frameCache.RemoveLast();
            }

            return decoded;
        }
    }

    /// <summary>Drops the cached decoded frames of one segment: a compaction moved its frames to other offsets.</summary>
    public void Forget(uint segment)
    {
        lock (readLock)
        {
            for (var n = frameCache.First; n is not null;)
            {
                var next = n.Next;
                if (n.Value.Segment == segment)
                {
                    cachedBytes -= n.Value.Payload.Length;
                    frameCache.Remove(n);
                }

                n = next;
            }
        }
    }

    /// <summary>The SHA-256 in a sealed segment's footer (its last 64 bytes), or null when it does not end in a valid footer.</summary>
    public byte[]? FooterSha256(uint segment)
    {
        using var f = FileSystem.OpenRead(Paths.Segment(segment));
        if (f.Length < SegmentHeader.Size + SegmentFooter.Size)
        {
            return null;
        }

        var b = new byte[SegmentFooter.Size];
        f.Read(f.Length - SegmentFooter.Size, b);
        try
        {
            return SegmentFooter.Parse(b, ArchivePaths.SegmentName(segment), f.Length - SegmentFooter.Size).Sha256;
        }
        catch (CorruptArchiveException)
        {
            return null;
        }
    }

    /// <summary>The segment's header: how it was written, and whether a compaction re-encoded it.</summary>
    public SegmentHeader ReadHeader(uint segment)
    {
        using var f = FileSystem.OpenRead(Paths.Segment(segment));
        var b = new byte[SegmentHeader.Size];
        f.Read(0, b);
        return SegmentHeader.Parse(b, ArchivePaths.SegmentName(segment));
    }

    /// <summary>An external blob's bytes, decompressed from its file (the caller checks them against the id).</summary>
    public byte[] ReadExternalBlob(string blobId)
    {
        var path = Paths.BlobFile(HexOf(blobId));
        try
        {
            using var d = new ZstdSharp.Decompressor();
            return d.Unwrap(ReadAll(path)).ToArray();
        }
        catch (Exception e) when (e is ZstdSharp.ZstdException or FileNotFoundException)
        {
            throw new CorruptArchiveException($"blob {blobId}: {path} cannot be read back: {e.Message}", e);
        }
    }

    /// <summary>The bytes in segment files and in external blob files, and how many segments there are.</summary>
    public (long SegmentBytes, long ExternalBytes, int Segments) Sizes()
    {
        long segmentBytes = 0;
        var numbers = SegmentNumbers();
        foreach (var n in numbers)
        {
            using var f = FileSystem.OpenRead(Paths.Segment(n));
            segmentBytes += f.Length;
        }

        long externalBytes = 0;
        foreach (var dir in FileSystem.ListDirectories(Paths.Blobs))
        {
            foreach (var file in FileSystem.ListFiles(Path.Combine(Paths.Blobs, dir)))
            {
                using var f = FileSystem.OpenRead(Path.Combine(Paths.Blobs, dir, file));
                externalBytes += f.Length;
            }
        }

        return (segmentBytes, externalBytes, numbers.Count);
    }

    public static string HexOf(string contentId) => contentId[ContentId.Prefix.Length..];

    public void Dispose()
    {
        readCompression?.Dispose();
        ContentKeys?.Dispose();
    }
}
