using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using Amber.Storage;
using Amber.Testing;
using Amber.Transparency.Checkpoints;
using Amber.Transparency.Merkle;
using Amber.Transparency.Notes;

namespace Amber.Benchmarks;

/// <summary>
/// The transparency log's costs: inclusion proofs generated and verified per second on a large tree
/// (baseline: SHA-256 of one entry, measured in the same run), and what appending an entry and signing a
/// checkpoint adds to a durable commit, at a gateway's rate (one commit per fsync) and an importer's
/// (pipelined commits sharing fsyncs).
/// </summary>
public static class LogCommand
{
    private const int TreeSize = 1 << 20;
    private const int Proofs = 20_000;

    public static int Run(BenchOptions options)
    {
        Console.WriteLine("# log\n");
        Console.WriteLine(MachineInfo.Describe(options.Repository));
        var rng = new Random(7);
        var entry = new byte[700]; // about the size of a commit info record
        rng.NextBytes(entry);

        // Baseline: hashing one entry.
        var sw = Stopwatch.StartNew();
        for (var i = 0; i < 200_000; i++)
        {
            SHA256.HashData(entry);
        }

        var hashPerSec = 200_000 / sw.Elapsed.TotalSeconds;

        var tree = new MerkleTree();
        sw.Restart();
        for (var i = 0; i < TreeSize; i++)
        {
            entry[0] = (byte)i;
            entry[1] = (byte)(i >> 8);
            entry[2] = (byte)(i >> 16);
            tree.AppendEntry(entry);
        }

        var appendPerSec = TreeSize / sw.Elapsed.TotalSeconds;
        var root = tree.Root;
        var indices = Enumerable.Range(0, Proofs).Select(_ => (long)rng.Next(TreeSize)).ToArray();
        sw.Restart();
        var proofs = indices.Select(i => tree.GetInclusionProof(i, TreeSize)).ToArray();
        var genPerSec = Proofs / sw.Elapsed.TotalSeconds;
        var leafHashes = indices.Select(tree.GetLeafHash).ToArray();
        sw.Restart();
        var ok = 0;
        for (var k = 0; k < Proofs; k++)
        {
            ok += MerkleProofs.VerifyInclusion(indices[k], TreeSize, leafHashes[k], proofs[k], root).IsValid ? 1 : 0;
        }

        var verifyPerSec = Proofs / sw.Elapsed.TotalSeconds;
        if (ok != Proofs)
        {
            Console.Error.WriteLine("a proof failed to verify");
            return 1;
        }

        using var signer = NoteSigner.FromSeed("bench.example/log", new byte[32]);
        sw.Restart();
        for (var i = 0; i < 2000; i++)
        {
            new Checkpoint("bench.example/log", TreeSize, root).Sign(signer);
        }

        var signPerSec = 2000 / sw.Elapsed.TotalSeconds;
        var t = new MarkdownTable("Operation (tree of 1,048,576 entries)", "Per second:", "× SHA-256 of one 700-byte entry:");
        t.Add("baseline: SHA-256 of one entry", N(hashPerSec), "1.00");
        t.Add("append an entry (leaf hash + subtree updates)", N(appendPerSec), R(hashPerSec / appendPerSec));
        t.Add("generate an inclusion proof (20 hashes)", N(genPerSec), R(hashPerSec / genPerSec));
        t.Add("verify an inclusion proof", N(verifyPerSec), R(hashPerSec / verifyPerSec));
        t.Add("sign a checkpoint (Ed25519)", N(signPerSec), R(hashPerSec / signPerSec));
        Console.WriteLine(t);

        // What the log adds to a durable commit: commits with the log (as shipped) against the log's own work.
        var perCommitLogMs = (1000.0 / appendPerSec) + (1000.0 / signPerSec);
        var commits = new MarkdownTable("Commit rate (durable, real disk)", "Commits:", "Commits/s:", "Log work per commit, ms:", "Log share of commit time:");
        foreach (var (label, pipelined) in new[] { ("gateway-like: one commit per fsync", false), ("importer-like: 32 in flight, shared fsyncs", true) })
        {
            var dir = Path.Combine(options.WorkDirectory, pipelined ? "log-pipelined" : "log-serial");
            using var archive = Archive.Init(new ArchiveOptions { Directory = dir, CompressionLevel = 3 });
            var batches = Enumerable.Range(0, 1500).Select(i => SampleConversations.Create(10_000 + i).Batch).ToList();
            sw.Restart();
            if (pipelined)
            {
                var inflight = new List<Task<CommitResult>>();
                foreach (var b in batches)
                {
                    inflight.Add(archive.CommitAsync(b));
                    if (inflight.Count == 32)
                    {
                        Task.WaitAll(inflight);
                        inflight.Clear();
                    }
                }

                Task.WaitAll(inflight);
            }
            else
            {
                foreach (var b in batches)
                {
                    archive.Commit(b);
                }
            }

            var elapsed = sw.Elapsed;
            var perCommitMs = elapsed.TotalMilliseconds / batches.Count;
            // The writer signs at most one checkpoint per group; serial commits sign one each.
            var logMs = pipelined ? (1000.0 / appendPerSec) + (1000.0 / signPerSec / 32) : perCommitLogMs;
            commits.Add(label, N(batches.Count), N(batches.Count / elapsed.TotalSeconds), Fmt.Ms(logMs), Fmt.Percent(logMs / perCommitMs));
        }

        Console.WriteLine(commits);
        return 0;
    }

    private static string N(double v) => v.ToString("N0", CultureInfo.InvariantCulture);

    private static string R(double v) => v.ToString("F1", CultureInfo.InvariantCulture);
}
