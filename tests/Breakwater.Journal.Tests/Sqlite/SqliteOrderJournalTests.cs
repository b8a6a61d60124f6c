using Breakwater.Journal.Tests.Infrastructure;

namespace Breakwater.Journal.Tests;

public sealed class SqliteOrderJournalTests : OrderJournalContractTests
{
    protected override Task<IJournalTestStore> CreateStoreAsync() =>
        Task.FromResult<IJournalTestStore>(new SqliteTestStore());
}
