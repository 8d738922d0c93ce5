# CNI ADD and DEL against the allocations already held: ours (bridge +
# node-local) and the reference (bridge + host-local), bench/cni's sweep
# (CNI_BENCH_HELD). The caption is the data's header (bench/data.sh).
# data: data/cni-held.tsv
# size: 640,460
set datafile separator "\t"
set datafile missing "-"
set title "CNI ADD and DEL against the addresses already allocated" font ",13" offset 0,1.2
set xlabel "allocations held before the run (an IPv4 and an IPv6 address each)"
set ylabel "ms per call, spawn to exit: median, bar to p95"
set logscale y
set format y "%g"
set autoscale xfix
set offsets graph 0.04, graph 0.04, 0, 0
set grid xtics ytics mytics lc rgb "#e4e4e4" lt 1
set tmargin 4.5
set key horizontal center top at graph 0.5, screen 0.915 samplen 2.5 width -3 maxrows 1
set bmargin 9.5
set style line 1 lc rgb "#1f5fa8" lw 2 pt 7 ps 0.8
set style line 2 lc rgb "#7fa8d8" lw 2 pt 9 ps 1
set style line 3 lc rgb "#c4501b" lw 2 pt 7 ps 0.8
set style line 4 lc rgb "#eda070" lw 2 pt 9 ps 1
set label 1 data_what at screen 0.015, screen 0.12 font ",9" noenhanced
set label 2 "measured ".data_date." on ".data_machine at screen 0.015, screen 0.09 font ",9" noenhanced
set label 3 "load ".word(data_load, 1)." at the start: a machine shared with other jobs, so times are upper bounds" \
	at screen 0.015, screen 0.06 font ",9" noenhanced
set label 4 "command: ".data_command at screen 0.015, screen 0.03 font ",9" noenhanced
plot "data/cni-held.tsv" using 1:3:3:4 with yerrorlines ls 1 title "ours ADD", \
     "" using 1:5:5:6 with yerrorlines ls 3 title "reference ADD", \
     "" using 1:7:7:8 with yerrorlines ls 2 title "ours DEL", \
     "" using 1:9:9:10 with yerrorlines ls 4 title "reference DEL"
