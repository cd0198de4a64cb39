using System.Security.Cryptography;
using Amber.Core.Crypto;
using Amber.Storage.Keys;

namespace Amber.Storage.Tests.Keys;

public sealed class EnvironmentKeyProviderTests
{
    /// <summary>Master 60…7f; tenant keys computed independently with Python's cryptography HKDF (docs/format/encryption.md §2.2).</summary>
    private const string Master = "YGFiY2RlZmdoaWprbG1ub3BxcnN0dXZ3eHl6e3x9fn8=";

    [Theory]
    [InlineData("acme", "d06594168f0e68e51cfcfed124ef48f923c34c91a64781e7bc6963067aa0d5a9")]
    [InlineData("tenant:0123456789abcdef", "fa844bd6acb3e5247d7a045d6acab3e0d3e04343f47ea93b29b3c83b28f26762")]
    public void GetKey_DerivesTheDocumentedTenantKey(string tenant, string hex)
    {
        var provider = new EnvironmentKeyProvider(new Dictionary<string, string> { ["AMBER_MASTER_KEY_1"] = Master });

        Assert.Equal(hex, Convert.ToHexStringLower(provider.GetKey(tenant, 1).Material));
        Assert.Equal(hex, Convert.ToHexStringLower(provider.Create(tenant).Material));
    }

    [Fact]
    public void TryGetCurrentKey_HighestVersionSet_IsCurrent_AndOlderStayReadable()
    {
        var provider = new EnvironmentKeyProvider(new Dictionary<string, string>
        {
            ["AMBER_MASTER_KEY_1"] = Master,
            ["AMBER_MASTER_KEY_3"] = Convert.ToBase64String(new byte[32]),
            ["PATH"] = "/usr/bin",
        });

        Assert.True(provider.TryGetCurrentKey("acme", out var current));
        Assert.Equal(3, current.Version);
        Assert.Equal(1, provider.GetKey("acme", 1).Version);
        Assert.Equal("env:AMBER_MASTER_KEY_1,3", provider.Description);
        var missing = Assert.Throws<KeyProviderException>(() => provider.GetKey("acme", 2));
        Assert.Contains("needs the environment variable AMBER_MASTER_KEY_2, which is not set", missing.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void GetKey_TwoTenants_GetUnrelatedKeys()
    {
        var provider = new EnvironmentKeyProvider(new Dictionary<string, string> { ["AMBER_MASTER_KEY_1"] = Master });

        Assert.NotEqual(provider.GetKey("acme", 1).Material.ToArray(), provider.GetKey("acme2", 1).Material.ToArray());
    }

    [Theory]
    [InlineData("AMBER_MASTER_KEY_1", "c2hvcnQ=", "the environment variable AMBER_MASTER_KEY_1 is not 32 bytes of standard base64")]
    [InlineData("AMBER_MASTER_KEY_01", Master, "the environment variable AMBER_MASTER_KEY_01 does not end in a key version")]
    [InlineData("AMBER_MASTER_KEY_X", Master, "the environment variable AMBER_MASTER_KEY_X does not end in a key version")]
    public void New_BadVariable_NamesIt(string name, string value, string message)
    {
        var e = Assert.Throws<KeyProviderException>(() => new EnvironmentKeyProvider(new Dictionary<string, string> { [name] = value }));

        Assert.StartsWith(message, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Create_NoMasterSet_SaysWhatToSet()
    {
        var provider = new EnvironmentKeyProvider(new Dictionary<string, string>());

        Assert.False(provider.TryGetCurrentKey("acme", out _));
        Assert.Contains("set AMBER_MASTER_KEY_1", Assert.Throws<KeyProviderException>(() => provider.Create("acme")).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Rotate_SaysWhichVariableToSetNext()
    {
        var provider = new EnvironmentKeyProvider(new Dictionary<string, string> { ["AMBER_MASTER_KEY_1"] = Master });

        var e = Assert.Throws<KeyProviderException>(() => provider.Rotate("acme"));

        Assert.Contains("set AMBER_MASTER_KEY_2", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MasterAdded_RewrapUnderIt_KeepsEveryDataKeyReadable()
    {
        using var random = RandomNumberGenerator.Create();
        var before = new EnvironmentKeyProvider(new Dictionary<string, string> { ["AMBER_MASTER_KEY_1"] = Master });
        var dataKey = DataKey.Create(random);
        var record = KeyWrap.Wrap(before.Create("acme"), "conversation-1", dataKey, random);
        var after = new EnvironmentKeyProvider(new Dictionary<string, string>
        {
            ["AMBER_MASTER_KEY_1"] = Master,
            ["AMBER_MASTER_KEY_2"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
        });

        Assert.True(after.TryGetCurrentKey("acme", out var current));
        var rewrapped = Assert.Single(KeyRotation.Rewrap(after, current, [record], random));
        var withoutOld = new EnvironmentKeyProvider(new Dictionary<string, string> { ["AMBER_MASTER_KEY_2"] = Convert.ToBase64String(after.GetKey("acme", 2).Material) }, "UNUSED_");

        Assert.Equal(2, rewrapped.KeyVersion);
        Assert.Equal(dataKey, KeyWrap.Unwrap(after.GetKey("acme", 2), rewrapped));
        Assert.Throws<KeyProviderException>(() => withoutOld.GetKey("acme", 1));
    }

    [Fact]
    public void FromEnvironment_ReadsTheProcessEnvironment()
    {
        var prefix = $"AMBER_TEST_{Environment.ProcessId}_{Guid.NewGuid():N}_";
        Environment.SetEnvironmentVariable(prefix + "4", Master);
        try
        {
            var provider = EnvironmentKeyProvider.FromEnvironment(prefix);

            Assert.True(provider.TryGetCurrentKey("acme", out var key));
            Assert.Equal(4, key.Version);
            Assert.Equal("d06594168f0e68e51cfcfed124ef48f923c34c91a64781e7bc6963067aa0d5a9", Convert.ToHexStringLower(key.Material));
        }
        finally
        {
            Environment.SetEnvironmentVariable(prefix + "4", null);
        }
    }
}
