using System.Text.Json.Nodes;
using Amber.Core.Hashing;
using Amber.Core.Json;
using Amber.Storage.FileSystem;
using Amber.Storage.Format;
using Amber.Storage.Index;

namespace Amber.Storage;

/// <summary>
/// The embedded archive: one folder of append-only segment files, external blob files and a SQLite
/// index that can always be rebuilt from the segments. One process writes (it holds amber.lock);
/// others may read at the same time.
/// </summary>
/// <remarks>
/// Write-path policy, stated once: a batch is validated completely before any byte is written, so bad
/// input fails alone and changes nothing. Once bytes are being written, any I/O failure (a failed write,
/// a failed fsync) poisons the writer — every pending and later commit fails with that error, because
/// the state of the tail is unknown; reopening the archive recovers it by cutting the torn tail.
/// Cancellation is honoured only before a commit's bytes are written. A commit is acknowledged only
/// after its frame and everything it references have been fsynced.
/// </remarks>
public sealed partial class Archive : IDisposable, IAsyncDisposable
{
    /// <summary>The archive format this build writes: 3 since commit frames are packed (record-frame.md §10).</summary>
    public const int FormatVersion = 3;

    /// <summary>The oldest archive format this build opens; a writer upgrades a format-2 manifest on open.</summary>
    public const int OldestFormatVersion = 2;
    private readonly ArchiveOptions options;
    private readonly ArchivePaths paths;
    private readonly IFileSystem fs;
    private readonly Dictionary<uint, byte[]> dictionaries = [];
    private readonly Dictionary<string, uint> dictionaryByLabel = new(StringComparer.Ordinal);
    private FileStream? lockStream;
    private ArchiveIndex index = null!;
    private Writer? writer;

    private Archive(ArchiveOptions options)
    {
        this.options = options;
        paths = new ArchivePaths(options.Directory);
        fs = options.FileSystem;
    }

    /// <summary>The log origin used when none is configured: names this archive uniquely.</summary>
    public static string DefaultLogOrigin(string archiveIdHex) => $"amber.archive/{archiveIdHex[..16]}";

    /// <summary>The transparency log over this archive's commits.</summary>
    public Amber.Storage.Log.ArchiveLog Log { get; private set; } = null!;

    /// <summary>The archive's 16-byte random id, as hex.</summary>
    public string ArchiveId { get; private set; } = "";

    public string Directory => options.Directory;

    public bool IsReadOnly => writer is null;

    public RecoveryReport Recovery { get; private set; } = new();

    internal ArchiveIndex Index => index;

    private Amber.Storage.Log.LoggedAnnotations LoggedAnnotations => field ??= new Amber.Storage.Log.LoggedAnnotations(this);

    /// <summary>Commits acknowledged against commits indexed: what index reads wait on.</summary>
    internal IndexProgress IndexProgress { get; } = new();

    /// <summary>Acknowledged commits the indexer has not committed yet: what the writer validates against, and the recorder's lookups read.</summary>
    internal UnindexedCommits Unindexed { get; } = new();

    /// <summary>A connection to the index that sees every commit acknowledged before this call.</summary>
    internal Microsoft.Data.Sqlite.SqliteConnection OpenIndexForRead()
    {
        IndexProgress.WaitForAcknowledged();
        return index.OpenRead();
    }

    /// <summary>A reader cannot rebuild an index of another schema (a writer does, on open): it says how to.</summary>
    private static void ThrowIfOtherSchema(ArchiveIndex index, bool signingKeyMissing)
    {
        var schema = index.GetMeta("schema");
        var expected = ArchiveIndex.SchemaVersion.ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (schema is not null && schema != expected)
        {
            throw new InvalidOperationException(
                $"The archive's index {index.Path} has schema {schema}; this version of amber reads schema {expected}. "
                + (signingKeyMissing
                    ? "Restore log/signing.key, then run `amber index rebuild` or open the archive once for writing to rebuild it."
                    : "Run `amber index rebuild`, or open the archive once for writing, to rebuild it from the segments."));
        }
    }

    /// <summary>
    /// How far the index is behind the acknowledged commits, measured now and without waiting for it. A process that
    /// writes sees its own commits in its next index read (that read waits for them); a read-only process never waits
    /// for another process's indexer, and this is how it tells how much its index reads miss.
    /// </summary>
    public Amber.Storage.Reading.IndexLag GetIndexLag() => IndexLagProbe.Measure(this, holdsWriter: writer is not null);

    /// <summary>
    /// Waits until the index holds everything the writer has handed to the indexer (call with <see cref="WriteGate"/>
    /// held: every acknowledged group has then been handed over). A read-only archive has no indexer to wait for.
    /// </summary>
    internal void WaitForIndexer() => writer?.WaitForIndexer();

    /// <summary>Held by the writer while it writes a group, and by verify while it reads, so verify sees a still archive.</summary>
    internal SemaphoreSlim WriteGate { get; } = new(1, 1);

    internal IFileSystem FileSystem => fs;

    internal ArchivePaths Paths => paths;

    internal ArchiveOptions Options => options;

    /// <summary>True when the folder holds an archive (its manifest exists).</summary>
    public static bool Exists(string directory, IFileSystem? fileSystem = null)
        => (fileSystem ?? LocalFileSystem.Instance).FileExists(new ArchivePaths(directory).Manifest);

    /// <summary>Creates a new, empty archive. Fails if the folder already holds one.</summary>
    public static Archive Init(ArchiveOptions options)
    {
        var paths = new ArchivePaths(options.Directory);
        var fs = options.FileSystem;
        if (fs.FileExists(paths.Manifest))
        {
            throw new InvalidOperationException($"{options.Directory} already holds an Amber archive.");
        }

        fs.CreateDirectory(options.Directory);
        if (fs is LocalFileSystem)
        {
            OwnerOnly.Tighten(options.Directory); // a folder the user made beforehand keeps no wider mode
        }

        fs.CreateDirectory(paths.Segments);
        fs.CreateDirectory(paths.Blobs);
        var id = new byte[16];
        options.Random(id);
        var now = options.TimeProvider.GetUtcNow();

        // Segment 1 first, then the manifest: an archive whose manifest exists is complete. Segments without a
        // manifest are either an init that crashed (one empty segment: safe to redo) or a lost manifest (refuse).
        foreach (var existing in fs.ListFiles(paths.Segments))
        {
            var full = Path.Combine(paths.Segments, existing);
            using (var f = fs.OpenRead(full))
            {
                if (!existing.EndsWith(".tmp", StringComparison.Ordinal) && (existing != ArchivePaths.SegmentName(1) || f.Length > SegmentHeader.Size))
                {
                    throw new CorruptArchiveException($"{options.Directory} has segment files but no archive.json; refusing to create a new archive over them. Restore archive.json (its archive_id is in every segment header, bytes 16..31).");
                }
            }

            fs.Delete(full);
        }

        CreateSegmentFile(fs, paths, 1, id, now.ToUnixTimeMilliseconds());
        Amber.Storage.Log.LogKeys.Create(fs, options.Directory, options.LogOrigin ?? DefaultLogOrigin(Convert.ToHexStringLower(id)), options.Random);
        var manifest = new JsonObject
        {
            ["format"] = "amber-archive",
            ["version"] = FormatVersion,
            ["archive_id"] = Convert.ToHexStringLower(id),
            ["created"] = Amber.Core.Time.Timestamps.Format(now),
        };
        AtomicFile.Write(fs, paths.Manifest, CanonicalJson.Canonicalize(manifest));
        return Open(options);
    }

    /// <summary>Opens an archive, recovering it first (cutting a torn tail, catching the index up) unless read-only.</summary>
    public static Archive Open(ArchiveOptions options)
    {
        var paths = new ArchivePaths(options.Directory);
        var fs = options.FileSystem;
        if (!fs.FileExists(paths.Manifest))
        {
            if (options.CreateIfMissing && !options.ReadOnly)
            {
                return Init(options with { CreateIfMissing = false });
            }

            throw new DirectoryNotFoundException($"No Amber archive at {options.Directory} (run `amber init`).");
        }

        var archive = new Archive(options);
        try
        {
            archive.OpenCore();
            return archive;
        }
        catch
        {
            archive.Dispose();
            throw;
        }
    }

    private void OpenCore()
    {
        var manifest = JsonNode.Parse(ReadAll(paths.Manifest)) as JsonObject
            ?? throw new CorruptArchiveException($"{paths.Manifest}: not a JSON object.");
        if (manifest["format"]?.GetValue<string>() != "amber-archive")
        {
            throw new CorruptArchiveException($"{paths.Manifest}: not an Amber archive manifest.");
        }

        var version = manifest["version"]?.GetValue<int>() ?? 0;
        if (version > FormatVersion)
        {
            throw new CorruptArchiveException($"{paths.Manifest}: archive format {version} is newer than this build reads ({FormatVersion}).");
        }

        ArchiveId = manifest["archive_id"]?.GetValue<string>() ?? throw new CorruptArchiveException($"{paths.Manifest}: no archive_id.");
        if (version < OldestFormatVersion)
        {
            throw new CorruptArchiveException($"{paths.Manifest}: archive format {version} predates the transparency log and is not supported by this build.");
        }

        var readOnly = options.ReadOnly || !TryTakeLock();
        var signingKeyMissing = false;
        if (!readOnly && fs.FileExists(Amber.Storage.Log.LogKeys.VerifierKeyPath(options.Directory)) && !fs.FileExists(Amber.Storage.Log.LogKeys.SigningKeyPath(options.Directory)))
        {
            // Without the signing key no checkpoint can be signed, so nothing may be committed: read-only.
            readOnly = true;
            signingKeyMissing = true;
            options.Log?.Invoke("log/signing.key is missing: the archive is open read-only until it is restored");
        }

        var actions = new List<string>();
        if (version < FormatVersion && !readOnly)
        {
            // Only a writer upgrades; a read-only open leaves a format-2 archive as it is (it holds no packed frame).
            manifest["version"] = FormatVersion;
            AtomicFile.Write(fs, paths.Manifest, CanonicalJson.Canonicalize(manifest));
            actions.Add($"archive format {version} → {FormatVersion}: new frames are packed (docs/format/record-frame.md §10)");
        }

        if (!readOnly && fs is LocalFileSystem && OwnerOnly.IsShared(options.Directory) && OwnerOnly.Tighten(options.Directory))
        {
            actions.Add($"made {options.Directory} and everything in it readable by its owner only (it was open to other users)");
        }

        var state = RecoverSegments(readOnly, actions, out var torn);
        var indexPath = options.IndexPath ?? paths.DefaultIndex;
        var rebuilt = false;
        var indexed = 0;
        if (readOnly)
        {
            if (!File.Exists(indexPath))
            {
                throw new InvalidOperationException($"The archive's index {indexPath} does not exist yet; open it once for writing.");
            }

            // Without the signing key an open for writing is read-only as well, and cannot rebuild the index.
            ArchiveIndex.ThrowIfLeftUnsyncedByAnotherBoot(indexPath, signingKeyMissing ? "restore log/signing.key, then open the archive for writing to rebuild it" : "open the archive once for writing to rebuild it");
            index = ArchiveIndex.OpenReader(indexPath);
            ThrowIfOtherSchema(index, signingKeyMissing);
        }
        else
        {
            index = ArchiveIndex.OpenWriter(indexPath, options.Log, options.IndexWalSizeLimit);
            (rebuilt, indexed) = CatchUpIndex(state, actions);
        }

        if (readOnly)
        {
            LoadDictionaries();
        }

        if (OpenLog(readOnly, state, actions, ref rebuilt) && !readOnly)
        {
            writer = new Writer(this, state);
        }

        Recovery = new RecoveryReport { Actions = actions, TornBytesCut = torn, IndexRebuilt = rebuilt, FramesIndexed = indexed };
        foreach (var a in actions)
        {
            options.Log?.Invoke(a);
        }
    }

    /// <summary>
    /// Loads the log from the index once <see cref="Amber.Storage.Log.LogAuthenticator"/> has checked it against the
    /// segments. A writer whose index disagrees rebuilds the index and checks again; if the segments themselves
    /// disagree with a signed checkpoint, nothing may be signed: the archive opens without its writer (false) and
    /// <c>verify</c> names the damage.
    /// </summary>
    private bool OpenLog(bool readOnly, SegmentState state, List<string> actions, ref bool indexRebuilt)
    {
        if (!fs.FileExists(Amber.Storage.Log.LogKeys.VerifierKeyPath(options.Directory)))
        {
            if (readOnly)
            {
                throw new CorruptArchiveException($"{options.Directory}: log/vkey is missing.");
            }

            // An archive made before the log existed gets its key pair now.
            Amber.Storage.Log.LogKeys.Create(fs, options.Directory, options.LogOrigin ?? DefaultLogOrigin(ArchiveId), options.Random);
            actions.Add("created the transparency log's signing key (log/signing.key, log/vkey)");
        }

        var (signer, vkey) = Amber.Storage.Log.LogKeys.Load(fs, options.Directory, ReadAll);
        var verifier = new Amber.Transparency.Notes.NoteVerifier(vkey);
        var checkedLog = Amber.Storage.Log.LogAuthenticator.Check(this, index, state, verifier, vkey.Name, indexMayLag: readOnly);
        if (!checkedLog.IsAuthentic && !readOnly)
        {
            actions.Add($"the index disagrees with the signed log ({checkedLog.Problem}); rebuilding it from the segments");
            try
            {
                RebuildIndexCore(state);
                indexRebuilt = true;
                checkedLog = Amber.Storage.Log.LogAuthenticator.Check(this, index, state, verifier, vkey.Name, indexMayLag: readOnly);
            }
            catch (CorruptArchiveException e)
            {
                actions.Add($"the index could not be rebuilt: {e.Message}");
            }
        }

        var mayWrite = checkedLog.IsAuthentic;
        if (!mayWrite && !readOnly)
        {
            actions.Add($"the segments disagree with the signed log ({checkedLog.Problem}): nothing can be signed, so the archive is open read-only; run `amber verify`");
        }

        Log = new Amber.Storage.Log.ArchiveLog(vkey.Name, vkey, readOnly || !mayWrite ? null : signer, checkedLog.Tree, checkedLog.Latest)
        {
            Problem = checkedLog.Problem,
        };
        if (readOnly || !mayWrite)
        {
            signer?.Dispose();
        }

        return mayWrite;
    }

    /// <summary>In a read-only process, takes in the log entries and checkpoint another process's writer has added since.</summary>
    public void RefreshLog()
    {
        if (!IsReadOnly)
        {
            return;
        }

        // The checkpoint first, then the leaves: the leaves read are then at least as many as it covers.
        string? note;
        using (var c = OpenIndexForRead())
        using (var cmd = c.CreateCommand())
        {
            cmd.CommandText = "SELECT note FROM checkpoints ORDER BY size DESC, segment DESC, offset DESC LIMIT 1";
            note = cmd.ExecuteScalar() as string;
        }

        Log.AppendLeafHashes(index.LeafHashes(Log.Size + 1));
        if (note is not null)
        {
            Log.AcceptCheckpoint(Amber.Transparency.Notes.SignedNote.Parse(note));
        }
    }

    private bool TryTakeLock()
    {
        if (fs is not LocalFileSystem)
        {
            return true; // in-process file systems have a single owner
        }

        try
        {
            lockStream = new FileStream(paths.Lock, OwnerOnly.Create(FileMode.OpenOrCreate, FileAccess.ReadWrite));
            return true;
        }
        catch (IOException)
        {
            return false;
        }
    }

    private void LoadDictionaries()
    {
        foreach (var (id, label, segment, offset) in index.Dictionaries())
        {
            var frame = ReadFrameBytes(segment, offset);
            var (_, dict) = Compression.DecodeDictionaryPayload(RecordFrame.Payload(frame));
            AddDictionary(id, label, dict);
        }
    }

    /// <summary>Dictionaries are shared between the writer thread and readers; all access goes through these two methods.</summary>
    internal void AddDictionary(uint id, string label, byte[] dictionary)
    {
        lock (dictionaries)
        {
            dictionaries[id] = dictionary;
            dictionaryByLabel[label] = id;
        }
    }

    internal Dictionary<uint, byte[]> SnapshotDictionaries()
    {
        lock (dictionaries)
        {
            return new Dictionary<uint, byte[]>(dictionaries);
        }
    }

    internal bool TryGetDictionaryFor(string label, out uint id, out byte[]? dictionary)
    {
        lock (dictionaries)
        {
            dictionary = null;
            return dictionaryByLabel.TryGetValue(label, out id) && dictionaries.TryGetValue(id, out dictionary);
        }
    }

    internal byte[] ReadAll(string path)
    {
        using var f = fs.OpenRead(path);
        var b = new byte[f.Length];
        f.Read(0, b);
        return b;
    }

    internal static void CreateSegmentFile(IFileSystem fs, ArchivePaths paths, uint number, byte[] archiveId, long createdMs)
    {
        var header = new byte[SegmentHeader.Size];
        new SegmentHeader(SegmentHeader.CurrentVersion, SegmentHeader.CurrentVersion, number, archiveId, createdMs).Write(header);
        AtomicFile.Write(fs, paths.Segment(number), header);
    }

    internal List<uint> SegmentNumbers()
    {
        var list = new List<uint>();
        foreach (var name in fs.ListFiles(paths.Segments))
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
    internal byte[] ReadFrameBytes(uint segment, long offset)
    {
        using var f = fs.OpenRead(paths.Segment(segment));
        return ReadFrameBytes(f, segment, offset);
    }

    internal static byte[] ReadFrameBytes(IStorageFile f, uint segment, long offset)
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

    internal static string HexOf(string contentId) => contentId[ContentId.Prefix.Length..];

    public void Dispose()
    {
        writer?.Dispose();
        writer = null;
        readCompression?.Dispose();
        Log?.Dispose();
        index?.Dispose();
        WriteGate.Dispose();
        lockStream?.Dispose();
    }

    public async ValueTask DisposeAsync()
    {
        if (writer is not null)
        {
            await writer.DisposeAsync().ConfigureAwait(false);
            writer = null;
        }

        Dispose();
    }
}
