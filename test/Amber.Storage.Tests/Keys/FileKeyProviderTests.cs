using System.Security.Cryptography;
using Amber.Core.Crypto;
using Amber.Storage.FileSystem;
using Amber.Storage.Keys;
using Amber.Testing;

namespace Amber.Storage.Tests.Keys;

public sealed class FileKeyProviderTests
{
    private const UnixFileMode OwnerReadWrite = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public void Create_KeyFile_IsMode0600WhileStillEmpty_AndAfter()
    {
        Assert.SkipWhen(OperatingSystem.IsWindows(), "Unix file modes");
        using var dir = new TempDirectory();
        var observed = new ModeObservingFileSystem(LocalFileSystem.Instance);
        var provider = new FileKeyProvider(dir.Combine("keys"), RandomNumberGenerator.Create(), observed);

        provider.Create("acme");

        var first = Assert.Single(observed.FirstWrites);
        Assert.EndsWith("acme.keys.tmp", first.Path, StringComparison.Ordinal);
        Assert.Equal((OwnerReadWrite, 0L), (first.Mode, first.Length));
        Assert.Equal(OwnerReadWrite, File.GetUnixFileMode(provider.PathOf("acme")));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(dir.Combine("keys")));
    }

    [Fact]
    public void Create_ThenAnotherProvider_ReadsTheSameKey()
    {
        using var dir = new TempDirectory();
        var created = new FileKeyProvider(dir.Path, RandomNumberGenerator.Create()).Create("tenant:0123abcd");

        var reader = new FileKeyProvider(dir.Path, RandomNumberGenerator.Create());

        Assert.True(reader.TryGetCurrentKey("tenant:0123abcd", out var current));
        Assert.Equal(1, current.Version);
        Assert.Equal(created.Material.ToArray(), current.Material.ToArray());
        Assert.Equal(created.Material.ToArray(), reader.GetKey("tenant:0123abcd", 1).Material.ToArray());
        Assert.False(reader.TryGetCurrentKey("someone-else", out _));
        Assert.True(File.Exists(dir.Combine("tenant%3A0123abcd.keys")));
    }

    [Fact]
    public void Create_TenantThatHasAKey_IsRefused()
    {
        using var dir = new TempDirectory();
        var provider = new FileKeyProvider(dir.Path, RandomNumberGenerator.Create());
        provider.Create("acme");

        var e = Assert.Throws<KeyProviderException>(() => provider.Create("acme"));

        Assert.Contains("already has a key (version 1", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Rotate_RewrapEveryDataKey_ThenRetire_KeepsEveryDataKeyReadable()
    {
        using var dir = new TempDirectory();
        using var random = RandomNumberGenerator.Create();
        var provider = new FileKeyProvider(dir.Path, random);
        var v1 = provider.Create("acme");
        var dataKeys = Enumerable.Range(0, 20).ToDictionary(i => $"conversation-{i}", _ => DataKey.Create(random));
        var records = dataKeys.Select(p => KeyWrap.Wrap(v1, p.Key, p.Value, random)).ToList();
        var stored = records.Select(r => r.Encode()).ToList(); // content encrypted under the data keys is never touched

        var v2 = provider.Rotate("acme");
        var rewrapped = KeyRotation.Rewrap(provider, v2, stored.Select(b => WrappedKey.Decode(b, "test")), random);
        provider.Retire("acme", 1);

        Assert.Equal(2, v2.Version);
        Assert.All(rewrapped, r => Assert.Equal(2, r.KeyVersion));
        var reopened = new FileKeyProvider(dir.Path, random);
        Assert.All(rewrapped, r => Assert.Equal(dataKeys[r.ConversationId], KeyWrap.Unwrap(reopened.GetKey("acme", r.KeyVersion), r)));
        var gone = Assert.Throws<KeyProviderException>(() => reopened.GetKey("acme", 1));
        Assert.Contains("no key version 1", gone.Message, StringComparison.Ordinal);
        Assert.Contains("(it holds version 2)", gone.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Retire_CurrentVersion_IsRefused()
    {
        using var dir = new TempDirectory();
        var provider = new FileKeyProvider(dir.Path, RandomNumberGenerator.Create());
        provider.Create("acme");

        var e = Assert.Throws<KeyProviderException>(() => provider.Retire("acme", 1));

        Assert.Contains("current key and cannot be retired", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Rotate_TornWrite_LeavesTheOldKeyFileWhole()
    {
        using var dir = new TempDirectory();
        var faults = new FaultInjectingFileSystem(LocalFileSystem.Instance);
        var provider = new FileKeyProvider(dir.Path, RandomNumberGenerator.Create(), faults);
        var v1 = provider.Create("acme");

        faults.TearWriteAfter(0, keepBytes: 30);
        Assert.Throws<IOException>(() => provider.Rotate("acme"));
        faults.Disarm();

        var reopened = new FileKeyProvider(dir.Path, RandomNumberGenerator.Create());
        Assert.True(reopened.TryGetCurrentKey("acme", out var current));
        Assert.Equal(1, current.Version);
        Assert.Equal(v1.Material.ToArray(), current.Material.ToArray());
        Assert.Equal(2, reopened.Rotate("acme").Version); // the leftover .tmp is replaced, not trusted
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public void GetKey_FileReadableByOthers_IsRefused()
    {
        Assert.SkipWhen(OperatingSystem.IsWindows(), "Unix file modes");
        using var dir = new TempDirectory();
        var provider = new FileKeyProvider(dir.Path, RandomNumberGenerator.Create());
        provider.Create("acme");
        File.SetUnixFileMode(provider.PathOf("acme"), OwnerReadWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);

        var e = Assert.Throws<KeyProviderException>(() => provider.GetKey("acme", 1));

        Assert.Contains("can be read by other users (mode 644)", e.Message, StringComparison.Ordinal);
        Assert.Contains("chmod 600", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void GetKey_DamagedFile_NamesFileAndLine()
    {
        using var dir = new TempDirectory();
        var provider = new FileKeyProvider(dir.Path, RandomNumberGenerator.Create());
        provider.Create("acme");
        var path = provider.PathOf("acme");
        var lines = File.ReadAllLines(path);
        File.WriteAllText(path, $"{lines[0]}\n{lines[1]}\nkey 1 c2hvcnQ=\n");

        var e = Assert.Throws<KeyRecordException>(() => provider.GetKey("acme", 1));

        Assert.Equal($"{path}:3: key version 1 is not 32 bytes of standard base64.", e.Message);
    }

    [Fact]
    public void GetKey_FileOfAnotherTenant_IsRefused()
    {
        using var dir = new TempDirectory();
        var provider = new FileKeyProvider(dir.Path, RandomNumberGenerator.Create());
        provider.Create("acme");
        File.Copy(provider.PathOf("acme"), provider.PathOf("globex"));

        var e = Assert.Throws<KeyProviderException>(() => provider.GetKey("globex", 1));

        Assert.Contains("holds the keys of tenant 'acme', not 'globex'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Create_WhileAnotherProcessHoldsTheLock_IsRefusedClearly()
    {
        using var dir = new TempDirectory();
        var provider = new FileKeyProvider(dir.Path, RandomNumberGenerator.Create());
        using var held = new FileStream(dir.Combine(FileKeyProvider.LockFileName), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);

        var e = Assert.Throws<KeyProviderException>(() => provider.Create("acme"));

        Assert.Contains("another process is changing the keys", e.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(provider.PathOf("acme")));
    }

    [Theory]
    [InlineData("acme", "acme.keys")]
    [InlineData("tenant:ab12", "tenant%3Aab12.keys")]
    [InlineData("../etc/passwd", "%2E%2E%2Fetc%2Fpasswd.keys")]
    [InlineData("Zürich", "Z%C3%BCrich.keys")]
    public void FileName_AnyTenantId_StaysInsideTheKeysFolder(string tenant, string name)
    {
        Assert.Equal(name, TenantKeyFile.FileName(tenant));
    }
}
