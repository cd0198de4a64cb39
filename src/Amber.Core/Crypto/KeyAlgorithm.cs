namespace Amber.Core.Crypto;

/// <summary>The algorithm byte of a key record (docs/format/encryption.md §3).</summary>
public enum KeyAlgorithm : byte
{
    /// <summary>AES-256-GCM through .NET's <c>AesGcm</c>: 32-byte key, 12-byte random nonce, 16-byte tag.</summary>
    Aes256Gcm = 1,
}
