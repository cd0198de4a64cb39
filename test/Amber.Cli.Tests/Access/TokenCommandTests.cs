using System.Text.Json.Nodes;
using Amber.Viewer.Security;

namespace Amber.Cli.Tests.Access;

/// <summary><c>amber token create|list|revoke</c> over a real archive folder.</summary>
public sealed class TokenCommandTests
{
    [Fact]
    public void Create_PrintsTheTokenOnce_ListNeverShowsIt_AndTheStoreSurvivesAnIndexRebuild()
    {
        using var cli = new CliRunner();
        Assert.Equal(0, cli.Run("init").Exit);
        var (exit, output, err) = cli.Run("token", "create", "--tenant", "acme", "--scope", "capture", "--json");
        Assert.True(exit == 0, err);
        var created = JsonNode.Parse(output)!.AsObject();
        var token = created["token"]!.GetValue<string>();
        var id = created["id"]!.GetValue<string>();
        Assert.Equal("acme", created["tenant"]!.GetValue<string>());
        Assert.Equal("capture", created["scope"]!.GetValue<string>());
        Assert.True(TokenStore.IsStoreToken(token));

        var store = Path.Combine(cli.ArchiveDir, TokenStore.RelativePath);
        Assert.DoesNotContain(token["amber_0123456789abcdef_".Length..], File.ReadAllText(store), StringComparison.Ordinal);
        Assert.Equal(0, cli.Run("index", "rebuild").Exit); // the store is not derived state
        var (_, listed, _) = cli.Run("token", "list", "--json");
        Assert.DoesNotContain(token, listed, StringComparison.Ordinal);
        var row = JsonNode.Parse(listed)!["tokens"]!.AsArray().Single()!;
        Assert.Equal(id, row["id"]!.GetValue<string>());
        Assert.Equal("active", row["state"]!.GetValue<string>());

        var (people, table, _) = cli.Run("token", "create", "--tenant", "acme", "--scope", "read");
        Assert.Equal(0, people);
        Assert.True(TokenStore.IsStoreToken(table.Trim()), table); // for people: the token alone on standard output

        Assert.Equal(0, cli.Run("token", "revoke", id).Exit);
        var revoked = JsonNode.Parse(cli.Run("token", "list", "--json").Out)!["tokens"]!.AsArray().Single(t => t!["id"]!.GetValue<string>() == id)!;
        Assert.Equal("revoked", revoked["state"]!.GetValue<string>());
        Assert.Null(new TokenStore(cli.ArchiveDir, TimeProvider.System, System.Security.Cryptography.RandomNumberGenerator.Fill).Authenticate(token));
    }

    [Fact]
    public void BadInput_IsRefusedWithWhatIsWrong_AndNothingIsStored()
    {
        using var cli = new CliRunner();
        var (noArchive, _, missing) = cli.Run("token", "list");
        Assert.NotEqual(0, noArchive);
        Assert.Contains("no archive", missing, StringComparison.Ordinal);

        Assert.Equal(0, cli.Run("init").Exit);
        Assert.NotEqual(0, cli.Run("token", "create", "--tenant", "acme", "--scope", "owner").Exit);
        var (badTenant, _, tenantErr) = cli.Run("token", "create", "--tenant", "a b", "--scope", "read");
        Assert.NotEqual(0, badTenant);
        Assert.Contains("tenant", tenantErr, StringComparison.Ordinal);
        var (badExpiry, _, expiryErr) = cli.Run("token", "create", "--tenant", "acme", "--scope", "read", "--expires", "tomorrow");
        Assert.NotEqual(0, badExpiry);
        Assert.Contains("--expires", expiryErr, StringComparison.Ordinal);
        var (unknown, _, unknownErr) = cli.Run("token", "revoke", "0123456789abcdef");
        Assert.NotEqual(0, unknown);
        Assert.Contains("no token 0123456789abcdef", unknownErr, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(cli.ArchiveDir, TokenStore.RelativePath)));
    }
}
