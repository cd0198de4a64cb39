namespace Amber.Viewer.Tests;

/// <summary>The page tests and the browser tests share one archive and server.</summary>
[CollectionDefinition(Name)]
public sealed class ViewerCollection : ICollectionFixture<ViewerFixture>
{
    public const string Name = "viewer";
}
