// Command report turns benchstat's CSV output of the bench module's
// benchmarks into tables: each in-process case's median ns/op, B/op,
// allocs/op and store I/O, its ratio to the framework's floor and to the
// best peer on the same store kind, and whether ours meets its targets
// (one table for cookie, memory and Redis, one for the stores on SQL
// servers and files); ours' stores with many sessions (BenchmarkScale);
// and throughput and latency under load (BenchmarkLoad). It prints the
// tables and, when asked, writes docs/performance.md and an SVG chart of
// the main table's ns/op. With -recovery, it adds the recovery times that
// the stores' TestLockRecovery and TestFailover measured in the same run.
//
//	benchstat -format csv raw.txt > stat.csv
//	go run ./cmd/report -csv stat.csv -md ../docs/performance.md -svg ../docs/performance.svg
package main

import (
	"flag"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"strings"
	"time"
)

func main() {
	var (
		csvPath = flag.String("csv", "", "benchstat -format csv output (required)")
		mdPath  = flag.String("md", "", "write the Markdown report here")
		svgPath = flag.String("svg", "", "write the SVG chart here")
		gomod   = flag.String("gomod", "go.mod", "the bench module's go.mod, for the peers' versions")
		machine = flag.String("machine", "", "the machine, for the report")
		goVer   = flag.String("go", "", "the Go version, for the report")
		run     = flag.String("run", "", "how the benchmarks ran, for the report")
		note    = flag.String("note", "", "a remark on the run (the machine's load…), for the report")
		missedF = flag.String("missed", "", "write ours' cases that miss a target here, one per line (for profile.sh)")
		recov   = flag.String("recovery", "", "go test -json output of TestLockRecovery and TestFailover, for the recovery tables")
	)
	flag.Parse()
	if *csvPath == "" {
		flag.Usage()
		os.Exit(2)
	}
	f, err := os.Open(*csvPath)
	if err != nil {
		log.Fatal(err)
	}
	res, err := parse(f)
	var ranAt time.Time
	if st, serr := f.Stat(); serr == nil {
		ranAt = st.ModTime() // benchstat wrote it as the run ended
	}
	f.Close()
	if err != nil {
		log.Fatalf("%s: %v", *csvPath, err)
	}
	if len(res.rows) == 0 {
		log.Fatalf("%s: no benchmark results", *csvPath)
	}
	rows := evaluate(res.rows)
	mainRows, storeRows := split(rows)
	fmt.Print(table(mainRows))
	fmt.Println()
	fmt.Println(summary(rows))
	if len(storeRows) > 0 {
		fmt.Print("\nStores on servers and files (Gin):\n\n", table(storeRows))
	}
	if t := scaleTable(res.rows); t != "" {
		fmt.Print("\nMany sessions:\n\n", t)
	}
	if t := loadTable(res.rows); t != "" {
		fmt.Print("\nUnder load:\n\n", t)
	}

	var recovered string
	if *recov != "" {
		rf, err := os.Open(*recov)
		if err != nil {
			log.Fatal(err)
		}
		rs, err := parseRecovery(rf)
		rf.Close()
		if err != nil {
			log.Fatalf("%s: %v", *recov, err)
		}
		recovered = recoveryTables(rs)
		fmt.Print("\nRecovery:\n\n", recovered)
	}

	if *missedF != "" {
		if err := os.WriteFile(*missedF, []byte(missedCases(rows)), 0o644); err != nil {
			log.Fatal(err)
		}
	}
	if *svgPath != "" {
		if err := os.WriteFile(*svgPath, []byte(chart(mainRows)), 0o644); err != nil {
			log.Fatal(err)
		}
	}
	if *mdPath != "" {
		versions, err := peerVersions(*gomod)
		if err != nil {
			log.Fatal(err)
		}
		svgRel := ""
		if *svgPath != "" {
			if rel, err := filepath.Rel(filepath.Dir(*mdPath), *svgPath); err == nil {
				svgRel = filepath.ToSlash(rel)
			}
		}
		doc := markdown(docInfo{
			date:     ranAt.UTC().Format("2006-01-02 15:04 MST"),
			machine:  *machine,
			cpu:      res.header["cpu"],
			goos:     res.header["goos"] + "/" + res.header["goarch"],
			goVer:    *goVer,
			run:      *run,
			note:     *note,
			versions: versions,
			svg:      svgRel,
			results:  res.rows,
			recovery: recovered,
		}, rows)
		if err := os.WriteFile(*mdPath, []byte(doc), 0o644); err != nil {
			log.Fatal(err)
		}
	}
}

// peerVersions returns the required versions of the modules the cases use,
// from the bench module's go.mod.
func peerVersions(path string) ([][2]string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	want := []string{
		"github.com/gin-gonic/gin",
		"github.com/labstack/echo/v4",
		"github.com/gofiber/fiber/v2",
		"github.com/valyala/fasthttp",
		"github.com/gin-contrib/sessions",
		"github.com/gorilla/sessions",
		"github.com/boj/redistore",
		"github.com/gomodule/redigo",
		"github.com/alexedwards/scs/v2",
		"github.com/alexedwards/scs/goredisstore",
		"github.com/labstack/echo-contrib",
		"github.com/gofiber/storage/redis/v3",
		"github.com/redis/go-redis/v9",
		"github.com/alexedwards/scs/pgxstore",
		"github.com/alexedwards/scs/mysqlstore",
		"github.com/alexedwards/scs/sqlite3store",
		"github.com/wader/gormstore/v2",
		"gorm.io/gorm",
		"gorm.io/driver/postgres",
		"gorm.io/driver/mysql",
		"github.com/libtnb/sqlite",
		"modernc.org/sqlite",
		"github.com/jackc/pgx/v5",
		"github.com/go-sql-driver/mysql",
	}
	found := map[string]string{}
	for _, line := range strings.Split(string(b), "\n") {
		fields := strings.Fields(strings.TrimPrefix(strings.TrimSpace(line), "require "))
		if len(fields) >= 2 {
			found[fields[0]] = fields[1]
		}
	}
	var out [][2]string
	for _, m := range want {
		if v, ok := found[m]; ok {
			out = append(out, [2]string{m, v})
		}
	}
	return out, nil
}
