using System.Security.Cryptography;
using Amber.Storage.Keys;
using Amber.Testing;

namespace Amber.Storage.Tests.Encryption;

/// <summary>Every search test again on an encrypted archive, whose index holds keyed word hashes and encrypted titles (encryption.md §6).</summary>
public sealed class EncryptedSearchTests : SearchTests, IDisposable
{
    private readonly TempDirectory keys = new("amber-search-keys");

    protected override ArchiveOptions Configure(ArchiveOptions options)
        => options with { Encryption = true, KeyProvider = _ => new FileKeyProvider(keys.Combine("keys"), RandomNumberGenerator.Create()) };

    protected override FileSystemKind Kind(FileSystemKind preferred) => FileSystemKind.Local;

    public void Dispose() => keys.Dispose();
}
