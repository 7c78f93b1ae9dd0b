# student: channel pruning, then 3 epochs of recovery: edit and run `gnuplot recovery-student-channel.gp` in this folder.
set title "student: channel pruning, then 3 epochs of recovery"
set xlabel "fraction of channels removed (L1 ranking)"
set ylabel "top-1 validation accuracy"
set grid lc rgb '#d0d0d0'
set key bottom left box opaque
set border lw 1.5
set offsets graph 0.03, graph 0.03, graph 0.03, graph 0.03
set yrange [0:1]
set style line 1 lc rgb '#1f77b4' lw 2 dt 1 pt 1 ps 1.2
set style line 2 lc rgb '#1f77b4' lw 2 dt 2 pt 2 ps 1.2
set style line 3 lc rgb '#d62728' lw 2 dt 1 pt 3 ps 1.2
set style line 4 lc rgb '#d62728' lw 2 dt 2 pt 4 ps 1.2
set style line 5 lc rgb '#2ca02c' lw 2 dt 1 pt 5 ps 1.2
set style line 6 lc rgb '#2ca02c' lw 2 dt 2 pt 6 ps 1.2
set terminal pngcairo size 800,600 font 'Sans,12' enhanced
set output 'recovery-student-channel.png'
plot 'recovery-student-channel.dat' index 0 using 1:2 with linespoints ls 1 title "pruned, Shears", \
     'recovery-student-channel.dat' index 1 using 1:2 with linespoints ls 2 title "pruned, PyTorch", \
     'recovery-student-channel.dat' index 2 using 1:2 with linespoints ls 3 title "fine-tuned, Shears", \
     'recovery-student-channel.dat' index 3 using 1:2 with linespoints ls 4 title "fine-tuned, PyTorch", \
     'recovery-student-channel.dat' index 4 using 1:2 with linespoints ls 5 title "distilled, Shears", \
     'recovery-student-channel.dat' index 5 using 1:2 with linespoints ls 6 title "distilled, PyTorch"
set terminal svg size 800,600 font 'Sans,12' enhanced
set output 'recovery-student-channel.svg'
replot
unset output
