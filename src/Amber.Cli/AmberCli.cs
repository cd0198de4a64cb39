using System.CommandLine;
using Amber.Cli.Commands.Compact;
using Amber.Cli.Commands.Compare;
using Amber.Cli.Commands.Config;
using Amber.Cli.Commands.Cost;
using Amber.Cli.Commands.Export;
using Amber.Cli.Commands.Import;
using Amber.Cli.Commands.Index.Rebuild;
using Amber.Cli.Commands.Init;
using Amber.Cli.Commands.Log;
using Amber.Cli.Commands.Ls;
using Amber.Cli.Commands.Mark;
using Amber.Cli.Commands.Proxy;
using Amber.Cli.Commands.Repair;
using Amber.Cli.Commands.Replay;
using Amber.Cli.Commands.Revive;
using Amber.Cli.Commands.Search;
using Amber.Cli.Commands.Serve;
using Amber.Cli.Commands.Show;
using Amber.Cli.Commands.Stats;
using Amber.Cli.Commands.Thaw;
using Amber.Cli.Commands.Token;
using Amber.Cli.Commands.Verify;
using Amber.Cli.Infrastructure;
using Amber.Core.Json;
using Amber.Storage;

namespace Amber.Cli;

/// <summary>The amber command tree. Errors a user can act on become one line on stderr and a non-zero exit.</summary>
public static class AmberCli
{
    /// <param name="environment">The variables settings are read from (AMBER_*); the process environment when null.</param>
    public static RootCommand Build(TextWriter output, TextWriter error, IReadOnlyDictionary<string, string?>? environment = null)
    {
        CliEnvironment Env(ParseResult p) => new(p, output, error, environment);
        var root = new RootCommand("Amber preserves language-model instances: every conversation, verifiably, revivably.")
        {
            CommonOptions.Archive,
            CommonOptions.Config,
            CommonOptions.Quiet,
        };
        root.Subcommands.Add(InitCommandDefinition.Create(Env));
        root.Subcommands.Add(ImportCommandDefinition.Create(Env));
        root.Subcommands.Add(ExportCommandDefinition.Create(Env));
        root.Subcommands.Add(LsCommandDefinition.Create(Env));
        root.Subcommands.Add(ShowCommandDefinition.Create(Env));
        root.Subcommands.Add(SearchCommandDefinition.Create(Env));
        root.Subcommands.Add(StatsCommandDefinition.Create(Env));
        root.Subcommands.Add(CostCommandDefinition.Create(Env));
        root.Subcommands.Add(VerifyCommandDefinition.Create(Env));
        root.Subcommands.Add(RepairCommandDefinition.Create(Env));
        root.Subcommands.Add(IndexRebuildCommandDefinition.Create(Env));
        root.Subcommands.Add(CompactCommandDefinition.Create(Env));
        root.Subcommands.Add(LogCommandDefinition.Create(Env));
        root.Subcommands.Add(ServeCommandDefinition.Create(Env));
        root.Subcommands.Add(TokenCommandDefinition.Create(Env));
        root.Subcommands.Add(ProxyCommandDefinition.Create(Env));
        root.Subcommands.Add(ReviveCommandDefinition.Create(Env));
        root.Subcommands.Add(ReplayCommandDefinition.Create(Env));
        root.Subcommands.Add(ThawCommandDefinition.Create(Env));
        root.Subcommands.Add(CompareCommandDefinition.Create(Env));
        root.Subcommands.Add(MarkCommandDefinition.Create(Env));
        root.Subcommands.Add(ConfigCommandDefinition.Create(Env));
        root.Subcommands.Add(Commands.Shred.ShredCommandDefinition.Create(Env));
        root.Subcommands.Add(Commands.Keys.KeysCommandDefinition.Create(Env));
        root.Subcommands.Add(Commands.Seal.SealCommandDefinition.CreateSeal(Env));
        root.Subcommands.Add(Commands.Seal.SealCommandDefinition.CreateUnseal(Env));
        return root;
    }

    private const int SqliteCorrupt = 11;

    private const int SqliteFull = 13;

    public static Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, CancellationToken ct = default)
        => RunAsync(args, output, error, environment: null, ct);

    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, IReadOnlyDictionary<string, string?>? environment, CancellationToken ct = default)
    {
        var root = Build(output, error, environment);
        var parse = root.Parse(args);
        try
        {
            return await parse.InvokeAsync(new InvocationConfiguration { Output = output, Error = error, EnableDefaultExceptionHandler = false }, ct).ConfigureAwait(false);
        }
        catch (Exception e) when (e is CorruptArchiveException or DirectoryNotFoundException or InvalidOperationException or IOException or CanonicalJsonException or FormatException or InvalidDataException
            or ContentLockedException or Amber.Storage.Keys.KeyProviderException or Amber.Core.Crypto.KeyAccessException or Amber.Core.Crypto.KeyRecordException)
        {
            await error.WriteLineAsync($"amber: {e.Message}").ConfigureAwait(false);
            return ExitCodes.Failed;
        }
        catch (Microsoft.Data.Sqlite.SqliteException e) when (e.SqliteErrorCode is SqliteFull or SqliteCorrupt)
        {
            // The index is derived: what was acknowledged is in the segments; the message says what to do.
            await error.WriteLineAsync(e.SqliteErrorCode == SqliteFull
                ? $"amber: the disk is full: the index could not be written ({e.Message}). Free space and run the command again; what was acknowledged is kept."
                : $"amber: the index is damaged ({e.Message}); run `amber index rebuild` to rebuild it from the segments.").ConfigureAwait(false);
            return ExitCodes.Failed;
        }
    }
}
