using System.Globalization;
using Amber.Cli.Infrastructure;
using Amber.Storage.Reading;
using Spectre.Console;

namespace Amber.Cli.Commands.Stats;

internal static class StatsCommand
{
    public static int Run(CliEnvironment env, bool json)
    {
        using var archive = env.Open();
        var s = archive.GetStats();
        if (json)
        {
            var document = ReadingJson.Stats(s);
            document["encryption"] = new System.Text.Json.Nodes.JsonObject
            {
                ["enabled"] = archive.Encryption.IsEncrypted,
                ["provider"] = archive.Encryption.KeyProviderName,
                ["key_provider"] = archive.Encryption.KeyProviderDescription,
            };
            Output.JsonDocument(env.Out, document);
            return ExitCodes.Ok;
        }

        var console = ConsoleFactory.For(env.Out);
        var t = new Table().AddColumns("", "");
        t.HideHeaders();
        string N(long n) => n.ToString("N0", CultureInfo.InvariantCulture);
        t.AddRow("conversations", N(s.Conversations));
        t.AddRow("instances", N(s.Instances));
        t.AddRow("nodes", N(s.Nodes));
        t.AddRow("commits", N(s.Commits));
        t.AddRow("blobs", N(s.Blobs));
        t.AddRow("raw bytes", Output.Bytes(s.RawBytes));
        t.AddRow("stored bytes", $"{Output.Bytes(s.StoredBytes)} ({N(s.Segments)} segments, {Output.Bytes(s.ExternalBlobBytes)} in blob files)");
        t.AddRow("stored / raw", s.RawBytes == 0 ? "-" : s.Ratio.ToString("0.000", CultureInfo.InvariantCulture));
        t.AddRow("index (separate)", Output.Bytes(s.IndexBytes));
        var lag = s.IndexLag;
        t.AddRow("index lag", lag.CaughtUp
            ? $"none (indexed through commit {N(lag.IndexedSequence)})"
            : $"{N(lag.Commits)} commits, {Output.Bytes(lag.Bytes)} not yet indexed (indexed through {N(lag.IndexedSequence)} of {N(lag.AcknowledgedSequence)})");
        t.AddRow("zstd dictionaries", N(s.Dictionaries));
        t.AddRow("encryption", archive.Encryption.IsEncrypted
            ? Markup.Escape($"on (AES-256-GCM, a data key per conversation; keys: {archive.Encryption.KeyProviderDescription ?? archive.Encryption.KeyProviderName + " (not available to this process)"})")
            : "off");
        console.Write(t);
        if (s.InstancesByTier.Count > 0)
        {
            var tiers = new Table().AddColumns("tier", "instances", "conversations");
            foreach (var tier in new[] { "T1", "T2", "T3", "T4" })
            {
                tiers.AddRow(tier, N(s.InstancesByTier.GetValueOrDefault(tier)), N(s.ConversationsByTier.GetValueOrDefault(tier)));
            }

            console.Write(tiers);
        }

        if (s.TurnsByModel.Count > 0)
        {
            var models = new Table().AddColumns("model", "generated turns");
            foreach (var (model, count) in s.TurnsByModel)
            {
                models.AddRow(Markup.Escape(model), N(count));
            }

            console.Write(models);
        }

        return ExitCodes.Ok;
    }
}
