using System.Text.Json.Nodes;
using Amber.Cli.Infrastructure;
using Amber.Transparency.Notes;
using Amber.Transparency.Receipts;

namespace Amber.Cli.Commands.Log.VerifyReceipt;

internal static class LogVerifyReceiptCommand
{
    public static int Run(CliEnvironment env, string file, string vkey, string? expectedId, bool json)
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
}
