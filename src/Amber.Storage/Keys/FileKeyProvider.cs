using System.Security.Cryptography;
using System.Text;
using Amber.Core.Crypto;
using Amber.Storage.FileSystem;

namespace Amber.Storage.Keys;

/// <summary>
/// Tenant keys in files: one <see cref="TenantKeyFile"/> per tenant in a keys folder (mode 0700). Every file is written
/// whole through <see cref="AtomicFile"/>, whose temporary file has mode 0600 before its first byte, so no key byte is
/// ever readable by another user; a key file found readable by others is refused. Changes (create, rotate, retire)
/// hold <c>keys.lock</c> exclusively, so two processes cannot each write a different version 1.
/// </summary>
public sealed class FileKeyProvider : IKeyProvider
{
    public const string LockFileName = "keys.lock";

    private readonly string folder;
    private readonly RandomNumberGenerator random;
    private readonly IFileSystem fs;

    /// <param name="folder">The keys folder on the local disk (created 0700 when first needed).</param>
    /// <param name="random">Where new keys' bytes come from.</param>
    /// <param name="fileSystem">The file system the key files are written through (the local disk; a test wraps it to inject faults).</param>
    public FileKeyProvider(string folder, RandomNumberGenerator random, IFileSystem? fileSystem = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(folder);
        ArgumentNullException.ThrowIfNull(random);
        this.folder = folder;
        this.random = random;
        fs = fileSystem ?? LocalFileSystem.Instance;
    }

    public string Description => "file:" + folder;

    /// <summary>The key file of <paramref name="tenant"/> (it may not exist yet).</summary>
    public string PathOf(string tenant) => Path.Combine(folder, TenantKeyFile.FileName(tenant));

    public TenantKey GetKey(string tenant, int version)
    {
        var keys = Read(tenant) ?? throw new KeyProviderException($"tenant '{tenant}' has no key file in {folder} ({TenantKeyFile.FileName(tenant)}).");
        return keys.FirstOrDefault(k => k.Version == version)
            ?? throw new KeyProviderException($"tenant '{tenant}' has no key version {version} in {PathOf(tenant)} (it holds {Versions(keys)}): it was never made, or was retired.");
    }

    public bool TryGetCurrentKey(string tenant, out TenantKey key)
    {
        var keys = Read(tenant);
        key = keys?[^1]!;
        return keys is not null;
    }

    public TenantKey Create(string tenant)
    {
        using var _ = Lock();
        if (Read(tenant) is { } existing)
        {
            throw new KeyProviderException($"tenant '{tenant}' already has a key (version {existing[^1].Version} in {PathOf(tenant)}); rotate it instead.");
        }

        var key = NewKey(tenant, 1);
        Write(tenant, [key]);
        return key;
    }

    public TenantKey Rotate(string tenant)
    {
        using var _ = Lock();
        var keys = Read(tenant) ?? throw new KeyProviderException($"tenant '{tenant}' has no key to rotate in {folder}; create one first.");
        var key = NewKey(tenant, keys[^1].Version + 1);
        Write(tenant, [.. keys, key]);
        return key;
    }

    public void Retire(string tenant, int version)
    {
        using var _ = Lock();
        var keys = Read(tenant) ?? throw new KeyProviderException($"tenant '{tenant}' has no key file in {folder}.");
        if (keys.All(k => k.Version != version))
        {
            throw new KeyProviderException($"tenant '{tenant}' has no key version {version} to retire (it holds {Versions(keys)}).");
        }

        if (keys[^1].Version == version)
        {
            throw new KeyProviderException($"version {version} is tenant '{tenant}''s current key and cannot be retired; rotate first.");
        }

        Write(tenant, [.. keys.Where(k => k.Version != version)]);
    }

    private IReadOnlyList<TenantKey>? Read(string tenant)
    {
        var path = PathOf(tenant);
        if (!fs.FileExists(path))
        {
            return null;
        }

        if (!OperatingSystem.IsWindows() && File.Exists(path) && OwnerOnly.IsShared(path))
        {
            throw new KeyProviderException($"{path} can be read by other users (mode {Convert.ToString((int)File.GetUnixFileMode(path), 8)}); a key file must be the owner's alone: chmod 600 it after checking who else may have read it.");
        }

        byte[] bytes;
        using (var file = fs.OpenRead(path))
        {
            bytes = new byte[file.Length];
            var read = 0;
            while (read < bytes.Length)
            {
                var n = file.Read(read, bytes.AsSpan(read));
                if (n == 0)
                {
                    break;
                }

                read += n;
            }
        }

        var keys = TenantKeyFile.Parse(Encoding.UTF8.GetString(bytes), path);
        CryptographicOperations.ZeroMemory(bytes);
        if (!string.Equals(keys[0].Tenant, tenant, StringComparison.Ordinal))
        {
            throw new KeyProviderException($"{path} holds the keys of tenant '{keys[0].Tenant}', not '{tenant}'.");
        }

        return keys;
    }

    private void Write(string tenant, IReadOnlyList<TenantKey> keys)
    {
        var bytes = Encoding.UTF8.GetBytes(TenantKeyFile.Format(tenant, keys));
        try
        {
            AtomicFile.Write(fs, PathOf(tenant), bytes);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(bytes);
        }
    }

    private TenantKey NewKey(string tenant, int version)
    {
        Span<byte> material = stackalloc byte[TenantKey.Length];
        random.GetBytes(material);
        var key = new TenantKey(tenant, version, material);
        CryptographicOperations.ZeroMemory(material);
        return key;
    }

    private FileStream Lock()
    {
        if (!fs.DirectoryExists(folder))
        {
            fs.CreateDirectory(folder);
        }

        OwnerOnly.CreateDirectory(folder); // the lock lives on the local disk even when the key files go through a wrapper
        var path = Path.Combine(folder, LockFileName);
        try
        {
            return new FileStream(path, OwnerOnly.Create(FileMode.OpenOrCreate, FileAccess.ReadWrite));
        }
        catch (IOException e)
        {
            throw new KeyProviderException($"another process is changing the keys in {folder} ({path} is locked); try again when it is done.", e);
        }
    }

    private static string Versions(IReadOnlyList<TenantKey> keys) => "version " + string.Join(", ", keys.Select(k => k.Version));
}
