using System.Text.Json.Nodes;
using Amber.Cli.Infrastructure;
using Amber.Transparency.Checkpoints;
using Amber.Transparency.Merkle;
using Amber.Transparency.Notes;
using Amber.Transparency.Receipts;

namespace Amber.Cli.Commands.Log;

internal static class LogCommands
{
    public static int Vkey(CliEnvironment env)
    {
        using var archive = env.Open();
        env.Out.WriteLine(archive.Log.VerifierKey.ToString());
        return ExitCodes.Ok;
    }

    public static int Checkpoint(CliEnvironment env)
    {
        using var archive = env.Open();
        archive.RefreshLog();
        if (archive.Log.LatestCheckpoint is not { } note)
        {
            env.Error.WriteLine("amber: the log is empty; nothing has been committed yet.");
            return ExitCodes.Failed;
        }

        env.Out.Write(note.Format());
        return ExitCodes.Ok;
    }

    public static int Proof(CliEnvironment env, string id, string? output)
    {
        using var archive = env.Open();
        var receipt = archive.GetReceipt(id).Format();
        if (output is null)
        {
            env.Out.Write(receipt);
        }
        else
        {
            File.WriteAllText(output, receipt);
            env.Error.WriteLine($"amber: wrote the receipt to {output}");
        }

        return ExitCodes.Ok;
    }

    public static int VerifyReceipt(CliEnvironment env, string file, string vkey, string? expectedId, bool json)
    {
        NoteVerifierKey key;
        try
        {
            key = NoteVerifierKey.Parse(File.Exists(vkey) ? File.ReadAllText(vkey).Trim() : vkey.Trim());
        }
        catch (FormatException e)
        {
            env.Error.WriteLine($"amber: --vkey: {e.Message}");
            return ExitCodes.Usage;
        }

        if (!TlogProof.TryParse(File.ReadAllBytes(file), out var receipt, out var error))
        {
            return Report(env, json, false, $"{file}: not a c2sp.org/tlog-proof@v1 receipt: {error}", null);
        }

        var result = receipt!.Verify(new NoteVerifier(key), key.Name);
        JsonObject? entry = null;
        if (receipt.Extra is { } extra)
        {
            try
            {
                entry = JsonNode.Parse(extra.Span) as JsonObject;
            }
            catch (System.Text.Json.JsonException)
            {
                entry = null;
            }
        }

        if (result.IsValid && expectedId is not null && !Names(entry, expectedId))
        {
            return Report(env, json, false, $"{file}: the receipt is valid, but its entry does not name {expectedId}.", entry);
        }

        return result.IsValid
            ? Report(env, json, true, $"ok: entry {receipt.Index} is in the log of {key.Name} at tree size {receipt.Checkpoint.Size}, signed by {key.Name}.", entry)
            : Report(env, json, false, $"{file}: the receipt does not verify: {result.Failure}", entry);
    }

    private static bool Names(JsonObject? entry, string id)
    {
        var full = id.StartsWith("sha256:", StringComparison.Ordinal) ? id : "sha256:" + id;
        foreach (var c in entry?["conversations"]?.AsArray() ?? [])
        {
            if (c!["id"]?.GetValue<string>() == full || (c["leaves"]?.AsArray().Any(l => l!.GetValue<string>() == full) ?? false))
            {
                return true;
            }
        }

        return false;
    }

    private static int Report(CliEnvironment env, bool json, bool ok, string message, JsonObject? entry)
    {
        if (json)
        {
            Output.JsonDocument(env.Out, new JsonObject { ["ok"] = ok, ["message"] = message, ["entry"] = entry?.DeepClone() });
        }
        else if (ok)
        {
            env.Out.WriteLine(message);
            if (entry?["conversations"] is JsonArray conversations)
            {
                foreach (var c in conversations)
                {
                    env.Out.WriteLine($"  conversation {c!["id"]}, {c["node_count"]} nodes, committed {entry["time"]}");
                }
            }
        }
        else
        {
            env.Error.WriteLine($"amber: {message}");
        }

        return ok ? ExitCodes.Ok : ExitCodes.Failed;
    }

    public static int Consistency(CliEnvironment env, string oldFile, bool verify)
    {
        using var archive = env.Open();
        archive.RefreshLog();
        var opened = Amber.Transparency.Checkpoints.Checkpoint.Open(File.ReadAllBytes(oldFile), archive.Log.Verifier, archive.Log.Origin);
        if (!opened.IsValid)
        {
            env.Error.WriteLine($"amber: {oldFile}: not a checkpoint signed by this log ({opened.Failure}).");
            return ExitCodes.Failed;
        }

        var old = opened.Checkpoint!;
        var latestNote = archive.Log.LatestCheckpoint;
        if (latestNote is null)
        {
            env.Error.WriteLine("amber: the log has no checkpoint yet.");
            return ExitCodes.Failed;
        }

        var latest = Amber.Transparency.Checkpoints.Checkpoint.Parse(latestNote.Text);
        if (old.Size > latest.Size)
        {
            env.Error.WriteLine($"amber: {oldFile} covers {old.Size} entries, more than the log's latest checkpoint ({latest.Size}): entries were removed.");
            return ExitCodes.Failed;
        }

        IReadOnlyList<byte[]> proof = old.Size == 0 || old.Size == latest.Size ? [] : archive.Log.ConsistencyProof(old.Size, latest.Size);
        if (!verify)
        {
            foreach (var h in proof)
            {
                env.Out.WriteLine(Convert.ToBase64String(h));
            }

            return ExitCodes.Ok;
        }

        var result = old.Size == 0
            ? Amber.Transparency.VerificationResult.Valid
            : MerkleProofs.VerifyConsistency(old.Size, latest.Size, proof, old.RootHash.Span, latest.RootHash.Span);
        if (!result.IsValid)
        {
            env.Error.WriteLine($"amber: the log is NOT consistent with {oldFile} (size {old.Size}): {result.Failure}. Its history was rewritten.");
            return ExitCodes.Failed;
        }

        env.Out.WriteLine($"ok: the log at size {latest.Size} extends the checkpoint at size {old.Size} ({proof.Count} proof hashes).");
        return ExitCodes.Ok;
    }
}
