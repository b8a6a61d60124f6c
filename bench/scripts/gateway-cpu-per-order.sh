#!/bin/bash
# Runs the load harness against a gateway started from a build directory and reports the gateway's CPU time used
# during the run (warm-up included), read from /proc/<pid>/stat.
# Usage: bench/scripts/gateway-cpu-per-order.sh <label> <gateway build dir> <market|limit> <port> [gateway args...]
# Extra arguments go to the gateway, for example the journal settings of a PostgreSQL run.
set -u
label=$1 dir=$2 type=$3 port=$4
shift 4
data=$(mktemp -d)
(cd "$dir" && exec dotnet Breakwater.Gateway.dll --urls "http://127.0.0.1:$port" \
  --Breakwater:DataDirectory="$data" --Breakwater:ApiToken=bench-token-0123456789 \
  --Logging:LogLevel:Default=Warning "$@" > /dev/null 2>&1) &
pid=$!
for _ in $(seq 1 50); do curl -s -o /dev/null "http://127.0.0.1:$port/api/health" && break; sleep 0.2; done
sleep 2
cpu_before=$(awk '{print $14+$15}' "/proc/$pid/stat")
load=$(cut -d' ' -f1-3 /proc/loadavg)
out=$(timeout 60 dotnet bench/Breakwater.LoadHarness/bin/Release/net10.0/Breakwater.LoadHarness.dll \
  --url "http://127.0.0.1:$port" --token bench-token-0123456789 --clients 32 --duration 10 --warmup "${WARMUP:-3}" \
  --type "$type" 2>&1)
cpu_after=$(awk '{print $14+$15}' "/proc/$pid/stat")
kill "$pid"
wait "$pid" 2>/dev/null
sent=$(echo "$out" | awk '/orders sent/{print $3}')
throughput=$(echo "$out" | awk '/throughput/{print $2}')
p50=$(echo "$out" | awk '/p50/{print $3}')
p90=$(echo "$out" | awk '/p90/{print $3}')
p99=$(echo "$out" | awk '/p99/{print $3}')
max=$(echo "$out" | awk '/latency max/{print $3}')
failed=$(echo "$out" | awk '/non-2xx/{print $3}')
echo "$label $type load[$load] sent=$sent orders/s=$throughput p50=$p50 p90=$p90 p99=$p99 max=$max" \
  "non2xx=$failed" \
  "gateway_cpu_ticks=$((cpu_after - cpu_before)) clk_tck=$(getconf CLK_TCK)"
