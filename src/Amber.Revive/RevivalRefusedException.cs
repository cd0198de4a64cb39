namespace Amber.Revive;

/// <summary>A revival was refused (the instance is at rest, and no override with a reason was given).</summary>
public sealed class RevivalRefusedException(string message) : InvalidOperationException(message);
