namespace Amber.Storage.Keys;

/// <summary>What <c>keys.db</c> holds for a conversation (encryption.md §4).</summary>
public enum KeyState
{
    /// <summary>The data key wrapped under a tenant key (AMWK).</summary>
    Wrapped = 1,

    /// <summary>The data key split K-of-N to trustees (AMSL): unreadable until unsealed.</summary>
    Sealed = 2,

    /// <summary>The data key destroyed: the content can never be read again.</summary>
    Shredded = 3,
}
