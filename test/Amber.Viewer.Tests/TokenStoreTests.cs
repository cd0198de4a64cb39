using System.Text;
using Amber.Testing;
using Amber.Viewer.Security;
using Microsoft.Extensions.Time.Testing;

namespace Amber.Viewer.Tests;

/// <summary>The archive's token store over real files: what it keeps, expiry, and revocation seen by another instance at once.</summary>
public sealed class TokenStoreTests : IDisposable
{
    private readonly TempDirectory dir = new("amber-tokens");
    private readonly FakeTimeProvider clock = new(new DateTimeOffset(2026, 12, 7, 5, 0, 0, TimeSpan.Zero));
    private readonly Random rng = new(15);

    public void Dispose() => dir.Dispose();

    private TokenStore NewStore() => new(dir.Path, clock, b => rng.NextBytes(b));

    /// <summary>amber_ID_SECRET: the id is 16 hex digits; the secret (base64url) may itself hold '_'.</summary>
    private static string Secret(string token) => token["amber_0123456789abcdef_".Length..];

    [Fact]
    public void Create_StoresOnlyASaltedHash_NeverTheTokenOrItsSecret()
    {
        var store = NewStore();
        var a = store.Create("acme", TokenScope.Read, null);
        var b = store.Create("acme", TokenScope.Read, null);
        var text = File.ReadAllText(store.Path, Encoding.UTF8);
        foreach (var issued in new[] { a, b })
        {
            var secret = Secret(issued.Token);
            Assert.True(secret.Length >= 43);
            Assert.DoesNotContain(secret, text, StringComparison.Ordinal);
            Assert.DoesNotContain(issued.Token, text, StringComparison.Ordinal);
            Assert.Contains(issued.Stored.Id, text, StringComparison.Ordinal);
            Assert.Null(AccessToken.Problem(issued.Token)); // fits a header, a cookie and a URL
        }

        Assert.NotEqual(Convert.ToBase64String(a.Stored.Salt), Convert.ToBase64String(b.Stored.Salt));
        Assert.Equal(new AccessGrant(TokenScope.Read, "acme", a.Stored.Id), NewStore().Authenticate(a.Token));
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public void TheStoreFile_IsOwnerOnly()
    {
        Assert.SkipWhen(OperatingSystem.IsWindows(), "Unix file modes");
        var store = NewStore();
        store.Create("acme", TokenScope.Admin, null);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(store.Path));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(Path.GetDirectoryName(store.Path)!));
    }

    [Fact]
    public void Authenticate_RefusesAWrongSecret_AnUnknownId_AndOtherShapes()
    {
        var store = NewStore();
        var issued = store.Create("acme", TokenScope.Capture, null);
        var last = issued.Token[^1] == 'A' ? 'B' : 'A';
        Assert.Null(store.Authenticate(issued.Token[..^1] + last));
        Assert.Null(store.Authenticate("amber_0000000000000000_" + Secret(issued.Token)));
        Assert.Null(store.Authenticate("not-a-token"));
        Assert.Null(store.Authenticate(""));
        Assert.NotNull(store.Authenticate(issued.Token));
    }

    [Fact]
    public void Expiry_EndsTheTokenAtItsTime()
    {
        var store = NewStore();
        var issued = store.Create("acme", TokenScope.Read, clock.GetUtcNow().AddHours(1));
        Assert.NotNull(store.Authenticate(issued.Token));
        clock.Advance(TimeSpan.FromMinutes(59));
        Assert.NotNull(store.Authenticate(issued.Token));
        clock.Advance(TimeSpan.FromMinutes(1));
        Assert.Null(store.Authenticate(issued.Token));
        Assert.Throws<ArgumentException>(() => store.Create("acme", TokenScope.Read, clock.GetUtcNow()));
    }

    [Fact]
    public void Revoke_ByAnotherStoreOnTheSameFile_HoldsFromTheNextCheck()
    {
        var server = NewStore();
        var issued = server.Create("acme", TokenScope.Read, null);
        var other = server.Create("acme", TokenScope.Read, null);
        Assert.NotNull(server.Authenticate(issued.Token)); // the server has read and cached the file
        Assert.True(NewStore().Revoke(issued.Stored.Id)); // the CLI, another process in real use
        Assert.Null(server.Authenticate(issued.Token));
        Assert.NotNull(server.Authenticate(other.Token));
        Assert.False(NewStore().Revoke("0123456789abcdef"));
        Assert.NotNull(Assert.Single(server.List(), t => t.Id == issued.Stored.Id).Revoked);
    }

    [Theory]
    [InlineData("30d", 30 * 24 * 60)]
    [InlineData("12h", 12 * 60)]
    [InlineData("45m", 45)]
    public void ParseExpiry_TakesDurations(string text, int minutes)
    {
        var now = clock.GetUtcNow();
        Assert.Equal(now.AddMinutes(minutes), TokenStore.ParseExpiry(text, now, out var problem));
        Assert.Null(problem);
    }

    [Theory]
    [InlineData("soon")]
    [InlineData("10y")]
    [InlineData("-5d")]
    public void ParseExpiry_NamesWhatIsWrong(string text)
    {
        Assert.Null(TokenStore.ParseExpiry(text, clock.GetUtcNow(), out var problem));
        Assert.Contains("--expires", problem, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("a b")]
    [InlineData("x/y")]
    public void Create_RefusesABadTenantName(string tenant)
        => Assert.Throws<ArgumentException>(() => NewStore().Create(tenant, TokenScope.Read, null));
}
