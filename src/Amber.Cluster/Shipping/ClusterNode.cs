using Amber.Cluster.Catalogue;
using Amber.Storage;

namespace Amber.Cluster.Shipping;

/// <summary>
/// What a gateway node does besides capturing: ships its shard to the object store and applies its commits to the
/// catalogue. <see cref="RunAsync"/> does it in the background every <see cref="Interval"/> (<c>--ack local</c>: an
/// acknowledged commit is in the object store and the catalogue within about one interval); <see cref="ReplicateAsync"/>
/// returns once everything committed before the call is in both (<c>--ack replicated</c>). Calls that arrive while a
/// pass runs share the next pass, so a burst of captures costs one upload and one catalogue transaction.
/// </summary>
public sealed class ClusterNode : IDisposable
{
    private readonly Archive archive;
    private readonly ShardShipper shipper;
    private readonly PostgresCatalogue? catalogue;
    private readonly TimeProvider time;
    private readonly Action<string>? log;
    private readonly SemaphoreSlim gate = new(1, 1);
    private long requested;
    private long completed;

    public ClusterNode(Archive archive, ShardShipper shipper, PostgresCatalogue? catalogue, TimeSpan interval, TimeProvider time, Action<string>? log = null)
    {
        ArgumentNullException.ThrowIfNull(archive);
        ArgumentNullException.ThrowIfNull(shipper);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(interval, TimeSpan.Zero);
        this.archive = archive;
        this.shipper = shipper;
        this.catalogue = catalogue;
        this.time = time;
        this.log = log;
        Interval = interval;
    }

    /// <summary>The bound on how long an acknowledged commit waits for shipping in <c>--ack local</c>.</summary>
    public TimeSpan Interval { get; }

    /// <summary>The last pass's shipping report, or null before the first.</summary>
    public ShipReport? LastShipped { get; private set; }

    /// <summary>Returns once every commit acknowledged before the call is in the object store and (with one) the catalogue.</summary>
    public async Task ReplicateAsync(CancellationToken cancellationToken = default)
    {
        var ticket = Interlocked.Increment(ref requested);
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (Interlocked.Read(ref completed) >= ticket)
            {
                return; // a pass that started after this call already covered it
            }

            var covers = Interlocked.Read(ref requested);
            LastShipped = await shipper.ShipAsync(archive, cancellationToken).ConfigureAwait(false);
            if (catalogue is not null)
            {
                await catalogue.ApplyAsync(archive, shipper.Node, cancellationToken).ConfigureAwait(false);
            }

            Interlocked.Exchange(ref completed, covers);
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>Ships and applies every <see cref="Interval"/> until cancelled; a failed pass is logged and retried at the next. Cancellation, even mid-pass, ends it without an exception.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await ReplicateAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return; // stopped during a pass: its catalogue transaction rolled back, and the caller's last pass redoes it
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                log?.Invoke($"node {shipper.Node}: shipping or catalogue apply failed, retrying in {Interval.TotalSeconds:0.#}s: {e.Message}");
            }

            try
            {
                await Task.Delay(Interval, time, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    public void Dispose() => gate.Dispose();
}
