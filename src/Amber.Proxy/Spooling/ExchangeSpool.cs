using System.Globalization;
using System.Threading.Channels;
using Amber.Proxy.Diagnostics;
using Amber.Proxy.Exchanges;
using Amber.Storage.FileSystem;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Amber.Proxy.Spooling;

/// <summary>
/// The <c>--ack async</c> sink. An exchange is released once it is durable: committed to the archive when this
/// process can (<see cref="PreserveAsync"/>), else once its raw document is in <c>spool/</c>
/// (written to <c>.tmp</c>, fsynced, renamed, folder fsynced); a
/// background loop records spooled exchanges into the archive in arrival order, deleting each file
/// once its commit is durable. Files left by a stop or crash are drained at the next start, before
/// new ones; unfinished <c>.tmp</c> files (never acknowledged) are deleted then. Recording is
/// idempotent (content-addressed), so a file recorded but not yet deleted when the process died adds
/// nothing the second time.
/// </summary>
public sealed class ExchangeSpool : IExchangeSink, IAsyncDisposable
{
    public const string Folder = "spool";

    /// <summary>Most spooled exchanges recorded at once.</summary>
    private const int DrainBatch = 64;

    /// <summary>Most spooled exchanges queued with their content in memory; beyond this the drain reads the files back.</summary>
    private const int MaxHeldInMemory = 256;

    private readonly IFileSystem fs;
    private readonly string directory;
    private readonly ArchiveSink archive;
    private readonly TimeProvider time;
    private readonly ILogger log;
    private readonly Channel<Spooled> queue = Channel.CreateUnbounded<Spooled>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Task drain;
    private long sequence;
    private long enqueued;
    private long finished;
    private TaskCompletionSource progress = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public ExchangeSpool(string archiveDirectory, IFileSystem fs, ArchiveSink archive, TimeProvider time, ILogger? log = null)
    {
        this.fs = fs ?? throw new ArgumentNullException(nameof(fs));
        this.archive = archive ?? throw new ArgumentNullException(nameof(archive));
        this.time = time ?? throw new ArgumentNullException(nameof(time));
        this.log = log ?? NullLogger.Instance;
        directory = Path.Combine(archiveDirectory, Folder);
        fs.CreateDirectory(directory);
        if (archive.CanWrite)
        {
            RemoveUnfinished(); // only the writer-lock holder: a read-only process must not race another's write
        }

        foreach (var leftover in Pending())
        {
            Enqueue(new Spooled(leftover, null, null));
        }

        drain = Task.Run(DrainAsync);
        GatewayMetrics.Track(this);
    }

    /// <summary>Exchanges spooled and not yet recorded (or given up on until the next start).</summary>
    public long Depth => Interlocked.Read(ref enqueued) - Interlocked.Read(ref finished);

    /// <summary>
    /// Deletes the <c>.tmp</c> files a crash left: a write cut before its rename, so its response was never
    /// released and the exchange never acknowledged (a finished write is renamed before the answer goes out).
    /// </summary>
    private void RemoveUnfinished()
    {
        var removed = 0;
        foreach (var file in fs.ListFiles(directory).Where(f => f.EndsWith(".tmp", StringComparison.Ordinal)))
        {
            fs.Delete(Path.Combine(directory, Path.GetFileName(file)));
            removed++;
        }

        if (removed > 0)
        {
            fs.SyncDirectory(directory);
            GatewayLog.SpoolLeftoversRemoved(log, removed);
        }
    }

    /// <summary>Spool files not yet recorded, oldest first.</summary>
    public IReadOnlyList<string> Pending()
        => fs.ListFiles(directory).Where(f => f.EndsWith(".json", StringComparison.Ordinal)).Order(StringComparer.Ordinal).Select(f => Path.Combine(directory, Path.GetFileName(f))).ToList();

    public bool CanWrite => true;

    /// <summary>
    /// Makes the exchange durable, then returns (the gateway releases the answer's end). While this process holds the
    /// archive's writer and nothing waits in the spool, the exchange goes straight into the archive: the commit is
    /// fsynced before this returns, sharing one fsync with the calls committed beside it (group commit), so it is as
    /// durable as a spool file and costs one write instead of the spool's own file and folder fsyncs plus the archive's
    /// later (issue 21: spooling every exchange made <c>--ack async</c> costlier than <c>durable</c>). The spool takes
    /// the exchange when the archive cannot (another process holds the writer, or a commit fails) and while files wait,
    /// so exchanges are still recorded in arrival order.
    /// </summary>
    public async Task PreserveAsync(RawExchange exchange, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(exchange);
        var bytes = exchange.ToJsonBytes();
        if (archive.CanWrite && Depth == 0)
        {
            try
            {
                await archive.RecordAsync(exchange, ArchiveSink.Normalize(exchange), bytes, CancellationToken.None).ConfigureAwait(false);
                return;
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                GatewayLog.SpooledAfterRecordFailed(log, exchange.Instance, e.Message);
            }
        }

        Spool(exchange, bytes);
    }

    private void Spool(RawExchange exchange, byte[] bytes)
    {
        // Name: time, then a per-process counter, then the instance: sorts in arrival order across restarts.
        var name = string.Create(CultureInfo.InvariantCulture, $"{time.GetUtcNow().UtcTicks:D19}-{Interlocked.Increment(ref sequence):D8}-{exchange.Instance}.json");
        var path = Path.Combine(directory, name);
        AtomicFile.Write(fs, path, bytes);
        // The drain records the exchange from memory; the file is read back only after a restart, or when the drain is
        // so far behind that holding every waiting exchange in memory would not be bounded.
        var spooled = Depth < MaxHeldInMemory ? new Spooled(path, exchange, bytes) : new Spooled(path, null, null);
        if (!Enqueue(spooled))
        {
            GatewayLog.SpoolClosed(log, name);
        }
    }

    private bool Enqueue(Spooled spooled)
    {
        Interlocked.Increment(ref enqueued);
        if (queue.Writer.TryWrite(spooled))
        {
            return true;
        }

        Interlocked.Decrement(ref enqueued);
        return false;
    }

    /// <summary>Completes once every file queued so far has been recorded (or has failed and stays for the next start).</summary>
    public async Task FlushAsync(CancellationToken ct = default)
    {
        var target = Interlocked.Read(ref enqueued);
        while (Interlocked.Read(ref finished) < target)
        {
            await Volatile.Read(ref progress).Task.WaitAsync(ct).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Records the queued files in arrival order, up to <see cref="DrainBatch"/> at a time: exchanges that start a
    /// conversation of their own are recorded together (the archive's writer commits them as one group: one fsync,
    /// one index transaction), and one that reads earlier exchanges (history, a continued response) waits until
    /// every file before it is recorded, so it finds them as a gateway call would.
    /// </summary>
    private async Task DrainAsync()
    {
        var reader = queue.Reader;
        var running = new List<Task>(DrainBatch);
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            while (running.Count < DrainBatch && reader.TryRead(out var spooled))
            {
                var path = spooled.Path;
                if (Load(spooled) is not { } loaded)
                {
                    continue;
                }

                if (ArchiveSink.ReadsEarlierExchanges(loaded.Normalized) && running.Count > 0)
                {
                    await Task.WhenAll(running).ConfigureAwait(false);
                    running.Clear();
                }

                running.Add(RecordAsync(path, loaded));
            }

            await Task.WhenAll(running).ConfigureAwait(false);
            running.Clear();
        }
    }

    /// <summary>
    /// Normalizes a spooled exchange: from memory when this process spooled it (the file is not read back or parsed
    /// again), else from its file. Null (logged, counted as finished, the file kept) when that fails.
    /// </summary>
    private Loaded? Load(Spooled spooled)
    {
        var path = spooled.Path;
        try
        {
            if (spooled.Exchange is { } spooledHere)
            {
                return new Loaded(spooledHere, ArchiveSink.Normalize(spooledHere), spooled.Bytes!);
            }

            byte[] bytes;
            using (var file = fs.OpenRead(path))
            {
                bytes = new byte[file.Length];
                file.Read(0, bytes);
            }

            var exchange = RawExchange.Parse(bytes);
            return new Loaded(exchange, ArchiveSink.Normalize(exchange), bytes);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            Failed(path, e);
            Finished();
            return null;
        }
    }

    private async Task RecordAsync(string path, Loaded loaded)
    {
        try
        {
            await archive.RecordAsync(loaded.Exchange, loaded.Normalized, loaded.Bytes, CancellationToken.None).ConfigureAwait(false);
            fs.Delete(path);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            Failed(path, e);
        }
        finally
        {
            Finished();
        }
    }

    /// <summary>The file stays; the next start retries it.</summary>
    private void Failed(string path, Exception e) => GatewayLog.SpoolRecordFailed(log, Path.GetFileName(path), e.Message);

    private void Finished()
    {
        Interlocked.Increment(ref finished);
        Interlocked.Exchange(ref progress, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
    }

    private sealed record Loaded(RawExchange Exchange, Amber.Proxy.Protocols.NormalizedExchange Normalized, byte[] Bytes);

    /// <summary>A spool file queued for recording, with the exchange and the file's bytes as this process spooled them (null for a file an earlier process left).</summary>
    private sealed record Spooled(string Path, RawExchange? Exchange, byte[]? Bytes);

    public async ValueTask DisposeAsync()
    {
        queue.Writer.TryComplete();
        await drain.ConfigureAwait(false);
        GatewayMetrics.Untrack(this);
    }
}
