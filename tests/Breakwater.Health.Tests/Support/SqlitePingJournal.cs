using Breakwater.Domain.Journal;
using Microsoft.Data.Sqlite;

namespace Breakwater.Health.Tests.Support;

/// <summary>A journal whose only working member is <see cref="PingAsync"/>: a real <c>SELECT 1</c> on a SQLite file.</summary>
internal sealed class SqlitePingJournal(string connectionString) : IOrderJournal
{
    public async Task PingAsync(CancellationToken cancellationToken)
    {
        await using var connection = new SqliteConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT 1";
        await command.ExecuteScalarAsync(cancellationToken);
    }

    public Task MigrateAsync(CancellationToken cancellationToken) => throw new NotSupportedException();

    public Task<JournalInsertResult> InsertOrderAsync(Domain.Orders.Order order, CancellationToken cancellationToken) =>
        throw new NotSupportedException();

    public Task<AppendOutcome> AppendChangeAsync(OrderChange change, CancellationToken cancellationToken) =>
        throw new NotSupportedException();

    public Task<Domain.Orders.Order?> GetOrderAsync(long id, CancellationToken cancellationToken) =>
        throw new NotSupportedException();

    public Task<Domain.Orders.Order?> FindByClientOrderIdAsync(string clientOrderId, CancellationToken cancellationToken) =>
        throw new NotSupportedException();

    public Task<OrderPage> ListOrdersAsync(OrderQuery query, CancellationToken cancellationToken) =>
        throw new NotSupportedException();

    public Task<IReadOnlyList<Domain.Orders.Order>> GetOpenOrdersAsync(CancellationToken cancellationToken) =>
        throw new NotSupportedException();

    public Task<IReadOnlyList<Domain.Orders.OrderEvent>> GetHistoryAsync(long orderId, CancellationToken cancellationToken) =>
        throw new NotSupportedException();

    public Task<long> GetMaxOrderIdAsync(CancellationToken cancellationToken) => throw new NotSupportedException();
}
