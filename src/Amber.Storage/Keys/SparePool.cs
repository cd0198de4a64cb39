using System.Security.Cryptography;
using Amber.Core.Crypto;

namespace Amber.Storage.Keys;

/// <summary>
/// Data keys made ahead (docs/format/encryption.md §4.1): per tenant, a queue of keys already wrapped and durable in
/// keys.db under a <c>spare:N</c> subject, so that the commit of a new conversation takes one from memory instead of
/// waiting for a keys.db sync. The queue is refilled by many keys in one transaction on a background task when it runs
/// low; only when it runs dry (a tenant's first conversation in this process, or an import faster than the refills)
/// are keys made on the caller's path, still in one transaction for the whole shortfall. Spares left when the process
/// ends are found again by the next one. Thread-safe.
/// </summary>
internal sealed class SparePool : IDisposable
{
    /// <summary>How many keys a tenant's queue is refilled to, at first.</summary>
    public const int InitialTarget = 256;

    /// <summary>The most a tenant's queue is refilled to, however fast new conversations arrive.</summary>
    public const int MaxTarget = 2048;

    private readonly KeyStore store;
    private readonly Func<string, TenantKey> tenantKey;
    private readonly Func<WrappedKey, byte[]> unwrap;
    private readonly RandomNumberGenerator random;
    private readonly TimeProvider time;
    private readonly Action<string>? log;
    private readonly Lock gate = new();
    private readonly Lock making = new(); // one batch of keys made at a time: a tenant's first key must be made once
    private readonly Dictionary<string, Tenant> tenants = new(StringComparer.Ordinal);
    private Task refills = Task.CompletedTask;
    private bool disposed;
    private long made;
    private long madeOnPath;

    /// <param name="tenantKey">The tenant's current key, made when the tenant has none (what new keys are wrapped under).</param>
    /// <param name="unwrap">Opens a wrapped data key with the tenant key version it names (the spares an earlier process left).</param>
    public SparePool(KeyStore store, Func<string, TenantKey> tenantKey, Func<WrappedKey, byte[]> unwrap, RandomNumberGenerator random, TimeProvider time, Action<string>? log)
    {
        this.store = store;
        this.tenantKey = tenantKey;
        this.unwrap = unwrap;
        this.random = random;
        this.time = time;
        this.log = log;
    }

    /// <summary>Keys made ahead in this process so far (on the caller's path or not); for tests and metrics.</summary>
    public long Made => Interlocked.Read(ref made);

    /// <summary>Keys made on the caller's path because the queue had run dry; for tests and metrics.</summary>
    public long MadeOnPath => Interlocked.Read(ref madeOnPath);

    /// <summary>Takes <paramref name="count"/> keys of <paramref name="tenant"/>: each its spare subject and data key.</summary>
    public IReadOnlyList<(string Subject, byte[] Key)> Take(string tenant, int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        var taken = new List<(string, byte[])>(count);
        Tenant t;
        lock (gate)
        {
            ObjectDisposedException.ThrowIf(disposed, this);
            t = TenantOf(tenant);
            while (taken.Count < count && t.Ready.TryDequeue(out var spare))
            {
                taken.Add(spare);
            }
        }

        if (taken.Count < count)
        {
            var shortfall = count - taken.Count;
            int target;
            lock (gate)
            {
                if (t.Primed)
                {
                    // Ran dry after keys were made ahead for it: the next refills aim higher, up to MaxTarget.
                    t.Target = Math.Min(MaxTarget, 2 * Math.Max(t.Target, shortfall));
                }

                t.Primed = true;
                target = t.Target;
            }

            var fresh = Make(tenant, shortfall + target);
            Interlocked.Add(ref madeOnPath, fresh.Count);
            taken.AddRange(fresh.Take(shortfall));
            lock (gate)
            {
                foreach (var spare in fresh.Skip(shortfall))
                {
                    t.Ready.Enqueue(spare);
                }
            }
        }

        ScheduleRefill(tenant, t);
        return taken;
    }

    /// <summary>The queue of <paramref name="tenant"/>, loaded with the spares keys.db holds when this process first asks for it.</summary>
    private Tenant TenantOf(string tenant)
    {
        if (tenants.TryGetValue(tenant, out var t))
        {
            return t;
        }

        t = new Tenant();
        foreach (var (subject, record) in store.Spares(tenant))
        {
            try
            {
                var wrapped = WrappedKey.Decode(record, $"{store.Path} row {subject}");
                t.Ready.Enqueue((subject, unwrap(wrapped)));
            }
            catch (Exception e) when (e is KeyAccessException or KeyRecordException or KeyProviderException)
            {
                // A spare that does not open is left where it is (verify reports keys.db's damage); new ones are made.
                log?.Invoke($"{store.Path}: the data key made ahead {subject} does not open ({e.Message}); it is not used");
            }
        }

        t.Primed = t.Ready.Count > 0;
        tenants[tenant] = t;
        return t;
    }

    private void ScheduleRefill(string tenant, Tenant t)
    {
        lock (gate)
        {
            if (disposed || t.Refilling || t.Ready.Count >= t.Target / 2)
            {
                return;
            }

            t.Refilling = true;
            refills = refills.ContinueWith(_ => Refill(tenant, t), CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
        }
    }

    private void Refill(string tenant, Tenant t)
    {
        try
        {
            int wanted;
            lock (gate)
            {
                wanted = disposed ? 0 : t.Target - t.Ready.Count;
            }

            if (wanted > 0)
            {
                var fresh = Make(tenant, wanted);
                lock (gate)
                {
                    foreach (var spare in fresh)
                    {
                        t.Ready.Enqueue(spare);
                    }
                }
            }
        }
        catch (Exception e)
        {
            // Off any caller's path: a refill that fails (a full disk) leaves the next commit to make its keys itself.
            log?.Invoke($"{store.Path}: making data keys ahead failed ({e.Message}); new conversations make their own until it succeeds");
        }
        finally
        {
            lock (gate)
            {
                t.Refilling = false;
            }
        }
    }

    /// <summary>Makes and stores <paramref name="count"/> keys of <paramref name="tenant"/> in one keys.db transaction.</summary>
    private List<(string Subject, byte[] Key)> Make(string tenant, int count)
    {
        lock (making)
        {
            var key = tenantKey(tenant);
            var dataKeys = new List<byte[]>(count);
            var subjects = store.AddSpares(tenant, count, subject =>
            {
                var dataKey = DataKey.Create(random);
                dataKeys.Add(dataKey);
                return KeyWrap.Wrap(key, subject, dataKey, random).Encode();
            }, Amber.Core.Time.Timestamps.Format(time.GetUtcNow()));
            Interlocked.Add(ref made, subjects.Count);
            return [.. subjects.Zip(dataKeys)];
        }
    }

    /// <summary>Holds back every making of keys (a refill, a dry queue's) until disposed: a rotation's tenant key must not change under them.</summary>
    public IDisposable Pause()
    {
        making.Enter();
        return new Resume(making);
    }

    private sealed class Resume(Lock making) : IDisposable
    {
        private bool done;

        public void Dispose()
        {
            if (!done)
            {
                done = true;
                making.Exit();
            }
        }
    }

    /// <summary>Waits for the refills under way; the keys still queued are zeroed.</summary>
    public void Dispose()
    {
        Task pending;
        lock (gate)
        {
            disposed = true;
            pending = refills;
        }

        pending.Wait();
        lock (gate)
        {
            foreach (var t in tenants.Values)
            {
                while (t.Ready.TryDequeue(out var spare))
                {
                    CryptographicOperations.ZeroMemory(spare.Key);
                }
            }
        }
    }

    private sealed class Tenant
    {
        public Queue<(string Subject, byte[] Key)> Ready { get; } = new();

        public int Target { get; set; } = InitialTarget;

        public bool Refilling { get; set; }

        /// <summary>Keys were made (or found) for it before: running dry now means the target is too low.</summary>
        public bool Primed { get; set; }
    }
}
