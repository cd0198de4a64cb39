using System.Globalization;
using Amber.Cli.Infrastructure;
using Amber.Core.Cost;
using Spectre.Console;

namespace Amber.Cli.Commands.Cost;

internal static class CostCommand
{
    public static int Run(CliEnvironment env, bool json, string? tenant, string? month)
    {
        if (month is not null && !(month.Length == 7 && DateOnly.TryParseExact(month + "-01", "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _)))
        {
            throw new FormatException($"--month: \"{month}\" is not a month; give it as YYYY-MM.");
        }

        var (prices, pricesFile, storage) = CostSettings.Load(env.Settings);
        using var archive = env.Open();
        var usage = archive.GetUsage();
        var report = CostCalculator.Compute(usage.Rows, usage.ArchiveBytes, prices, storage,
            r => (tenant is null || r.Tenant == tenant) && (month is null || r.Month == month));
        if (json)
        {
            Output.JsonDocument(env.Out, CostJson.Report(report, pricesFile, tenant, month));
            return ExitCodes.Ok;
        }

        var console = ConsoleFactory.For(env.Out);
        string N(long n) => n.ToString("N0", CultureInfo.InvariantCulture);
        var table = new Table().AddColumns("tenant", "model", "month", "turns", "tokens in", "tokens out", "inference USD", "stored", "storage USD");
        foreach (var l in report.Lines)
        {
            var u = l.Usage;
            table.AddRow(Markup.Escape(u.Tenant), Markup.Escape(u.Model), u.Month, N(u.Turns), N(u.TokensIn), N(u.TokensOut),
                l.InferenceUsd is { } i ? CostFormat.Usd(i) : l.Unpriced ? "unpriced" : "-", Output.Bytes((long)Math.Round(l.StoredBytes)), CostFormat.Usd(l.StorageUsd));
        }

        table.AddRow("total", "", "", N(report.Lines.Sum(l => l.Usage.Turns)), N(report.Lines.Sum(l => l.Usage.TokensIn)), N(report.Lines.Sum(l => l.Usage.TokensOut)),
            CostFormat.Usd(report.InferenceUsd), Output.Bytes(report.ArchiveBytes), CostFormat.Usd(report.StorageUsd));
        console.Write(table);
        console.WriteLine(CostFormat.BudgetSentence(report));
        console.WriteLine($"prices as of {prices.AsOf}{(pricesFile is null ? " (amber's table)" : $" (amber's table and {pricesFile})")}; storage {storage.UsdPerGbMonth.ToString(CultureInfo.InvariantCulture)} USD per GB-month x {storage.Replicas} replicas x {storage.HorizonYears.ToString(CultureInfo.InvariantCulture)} years, the archive's bytes apportioned by node record bytes");
        var unpriced = report.Unpriced.Select(l => l.Usage.Model).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        if (unpriced.Count > 0)
        {
            console.WriteLine($"unpriced (tokens listed, not counted): {string.Join(", ", unpriced)}; give their prices with --prices FILE");
        }

        var withoutUsage = report.Lines.Sum(l => l.Usage.TurnsWithoutUsage);
        if (withoutUsage > 0)
        {
            console.WriteLine($"{N(withoutUsage)} generated turns carry no token counts (most chat exports do not record usage) and add nothing to inference spend");
        }

        return ExitCodes.Ok;
    }
}
